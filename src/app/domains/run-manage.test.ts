/** Rename, delete to the trash and restore, on real folders in a private data home. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listTrash, readLabel, renameRun, restoreRun, trashDir, trashRun } from './run-manage';
import { readRunInfo } from './runs';

let tmp: string;
let runsDir: string;
const saved = process.env.SER_WORKBENCH_HOME;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-run-manage-'));
  process.env.SER_WORKBENCH_HOME = path.join(tmp, 'home');
  runsDir = path.join(tmp, 'runs');
  const dir = path.join(runsDir, '20260101-000000-exp');
  fs.mkdirSync(path.join(dir, 'folds', 'fold-01'), { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'config.json'),
    JSON.stringify({
      config: {
        name: 'exp',
        data: { dir: '/corpora/ravdess', corpus: 'ravdess' },
        model: { kind: 'yamnet-lstm', yamnet: { trainFrom: 'frozen' } },
        training: { epochs: 2 },
      },
    }),
  );
  fs.writeFileSync(path.join(dir, 'folds', 'fold-01', 'metrics.json'), '{"uar":0.5}');
});
afterAll(() => {
  if (saved === undefined) delete process.env.SER_WORKBENCH_HOME;
  else process.env.SER_WORKBENCH_HOME = saved;
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('run rename, trash and restore', () => {
  const id = '20260101-000000-exp';
  it('labels a run without renaming its folder, and refuses an empty name', () => {
    const dir = path.join(runsDir, id);
    renameRun(dir, '  LOSO, frozen  ');
    expect(readLabel(dir)).toBe('LOSO, frozen');
    expect(readRunInfo(dir, false)).toMatchObject({ id, name: 'LOSO, frozen' });
    expect(() => renameRun(dir, '   ')).toThrow(/cannot be empty/);
  });

  it('moves a deleted run into the data folder’s trash and lists it there', () => {
    const trashed = trashRun(path.join(runsDir, id));
    expect(trashed).toMatchObject({ id, name: 'LOSO, frozen', from: path.join(runsDir, id) });
    expect(fs.existsSync(path.join(runsDir, id))).toBe(false);
    expect(trashDir()).toBe(path.join(tmp, 'home', 'trash', 'runs'));
    expect(fs.readFileSync(path.join(trashDir(), id, 'folds', 'fold-01', 'metrics.json'), 'utf8')).toBe(
      '{"uar":0.5}',
    );
    expect(listTrash().map((t) => t.id)).toEqual([id]);
  });

  it('restores it with every file, and says so when the name is taken', () => {
    const to = restoreRun(id, runsDir);
    expect(to).toBe(path.join(runsDir, id));
    expect(fs.readFileSync(path.join(to, 'folds', 'fold-01', 'metrics.json'), 'utf8')).toBe('{"uar":0.5}');
    expect(fs.existsSync(path.join(to, 'trashed.json'))).toBe(false);
    expect(listTrash()).toEqual([]);
    expect(() => restoreRun(id, runsDir)).toThrow(/no run .* in the trash/);
  });
});
