/**
 * Renaming and deleting runs from the UI. A run's folder is never renamed (its id is its path,
 * named in logs and reports); the label lives in label.json beside it. Deleting moves the folder
 * (a run's, or a whole sweep's) to <data home>/trash/runs, from where it can be restored: nothing a
 * researcher ran is lost to a misclick.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeJsonAtomic } from '../../engine/util/atomic';
import { dataHome } from '../../engine/util/paths';
import { UserError } from '../../engine/util/errors';
import type { TrashedRun } from '@shared/contract';

const LABEL_FILE = 'label.json';
/** Written into a trashed folder: where it came from and when it went. */
const TRASH_NOTE = 'trashed.json';

export function trashDir(): string {
  return path.join(dataHome(), 'trash', 'runs');
}

/** The user's label of a run, or null when it has none (the config's name is shown then). */
export function readLabel(runDir: string): string | null {
  try {
    const v = JSON.parse(fs.readFileSync(path.join(runDir, LABEL_FILE), 'utf8')) as { name?: unknown };
    return typeof v.name === 'string' && v.name.trim() ? v.name : null;
  } catch {
    return null;
  }
}

export function renameRun(runDir: string, name: string): void {
  const trimmed = name.trim();
  if (!trimmed) throw new UserError('a run name cannot be empty');
  writeJsonAtomic(path.join(runDir, LABEL_FILE), { name: trimmed });
}

/** Moves a folder, across file systems too (the runs folder may be elsewhere than the data home). */
function move(from: string, to: string): void {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  try {
    fs.renameSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    fs.cpSync(from, to, { recursive: true });
    fs.rmSync(from, { recursive: true, force: true });
  }
}

/** Moves a run's folder, or a whole sweep's (`dir` holds sweep.json), to the trash. */
export function trashRun(dir: string): TrashedRun {
  const id = path.basename(dir);
  const target = path.join(trashDir(), id);
  if (fs.existsSync(target))
    throw new UserError(`the trash already holds a run '${id}': restore or empty it first`);
  const deletedAt = new Date().toISOString();
  writeJsonAtomic(path.join(dir, TRASH_NOTE), { from: dir, deletedAt });
  move(dir, target);
  return { id, kind: kindOf(target), name: nameOf(target), from: dir, deletedAt };
}

const isSweep = (dir: string) => fs.existsSync(path.join(dir, 'sweep.json'));
const kindOf = (dir: string): TrashedRun['kind'] => (isSweep(dir) ? 'sweep' : 'run');
const nameOf = (dir: string) => readLabel(dir) ?? configName(dir) ?? sweepName(dir) ?? path.basename(dir);

function sweepName(dir: string): string | null {
  try {
    const s = JSON.parse(fs.readFileSync(path.join(dir, 'sweep.json'), 'utf8')) as { name?: unknown };
    return typeof s.name === 'string' ? `sweep ${s.name}` : null;
  } catch {
    return null;
  }
}

function configName(dir: string): string | null {
  try {
    const c = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as {
      config?: { name?: unknown };
    };
    return typeof c.config?.name === 'string' ? c.config.name : null;
  } catch {
    return null;
  }
}

export function listTrash(): TrashedRun[] {
  const dir = trashDir();
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => {
      const d = path.join(dir, e.name);
      let note: { from?: string; deletedAt?: string } = {};
      try {
        note = JSON.parse(fs.readFileSync(path.join(d, TRASH_NOTE), 'utf8')) as typeof note;
      } catch {
        // A folder put here by hand still lists and restores.
      }
      return {
        id: e.name,
        kind: kindOf(d),
        name: nameOf(d),
        from: note.from ?? '',
        deletedAt: note.deletedAt ?? fs.statSync(d).mtime.toISOString(),
      };
    })
    .sort((a, b) => b.deletedAt.localeCompare(a.deletedAt));
}

/**
 * Moves a trashed run (or sweep, `kind` 'sweep') back into the runs folder under its own id. A
 * sweep goes back whole, and only as a sweep: its cells' ids name it.
 */
export function restoreRun(id: string, runsDir: string, kind: TrashedRun['kind'] = 'run'): string {
  const from = path.join(trashDir(), id);
  if (!fs.existsSync(from)) throw new UserError(`no ${kind} '${id}' in the trash (${trashDir()})`);
  if (kindOf(from) !== kind) throw new UserError(`'${id}' in the trash is a ${kindOf(from)}, not a ${kind}`);
  const to = path.join(runsDir, id);
  if (fs.existsSync(to)) throw new UserError(`${to} exists already: rename or delete that run first`);
  move(from, to);
  fs.rmSync(path.join(to, TRASH_NOTE), { force: true });
  return to;
}
