/**
 * Sweeps: one config with a `sweep` block becomes one run per cell, in one sweep folder:
 *
 *   <sweepDir>/sweep.json            the base config, every cell's swept values and run folder
 *   <sweepDir>/cells/<id>/           an ordinary run folder per cell
 *   <sweepDir>/slurm/                the array job of all cells' folds (slurm executor)
 *
 * A grid sweeps every combination of the listed values; random draws `samples` seeded points
 * from ranges. Every cell's config is validated (field exists, value passes the schema) before
 * anything is written or submitted, and an error names the field and the cell.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseConfig, type ExperimentConfig, type SweepConfig } from '../config/schema';
import { readJson, writeJsonAtomic } from '../util/atomic';
import { UserError } from '../util/errors';
import { newRunDir, readRun, type RunRecord } from './store';
import { mulberry32 } from '../util/random';

export interface SweepCell {
  id: string;
  values: Record<string, unknown>;
  config: ExperimentConfig;
}

export interface SweepFile {
  version: 1;
  name: string;
  created: string;
  fields: string[];
  cells: { id: string; values: Record<string, unknown>; runDir: string }[];
}

function getPath(obj: unknown, field: string): unknown {
  return field
    .split('.')
    .reduce<unknown>(
      (o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined),
      obj,
    );
}

function setPath(obj: Record<string, unknown>, field: string, value: unknown): void {
  const keys = field.split('.');
  let o = obj;
  for (const k of keys.slice(0, -1)) {
    if (!o[k] || typeof o[k] !== 'object') o[k] = {};
    o = o[k] as Record<string, unknown>;
  }
  o[keys.at(-1)!] = value;
}

/** The swept values of every cell: the grid's product, or the random samples. */
function points(sweep: SweepConfig): Record<string, unknown>[] {
  if (sweep.grid) {
    return Object.entries(sweep.grid).reduce<Record<string, unknown>[]>(
      (acc, [field, values]) => acc.flatMap((p) => values.map((v) => ({ ...p, [field]: v }))),
      [{}],
    );
  }
  const r = sweep.random!;
  const next = mulberry32(r.seed);
  return Array.from({ length: r.samples }, () =>
    Object.fromEntries(
      Object.entries(r.ranges).map(([field, range]) => {
        if (Array.isArray(range)) return [field, range[Math.floor(next() * range.length)]];
        const u = next();
        let v = range.log
          ? Math.exp(Math.log(range.min) + u * (Math.log(range.max) - Math.log(range.min)))
          : range.min + u * (range.max - range.min);
        if (range.integer) v = Math.round(v);
        else v = Number(v.toPrecision(4));
        return [field, v];
      }),
    ),
  );
}

function cellId(index: number, values: Record<string, unknown>): string {
  const parts = Object.entries(values).map(([f, v]) => `${f.split('.').at(-1)}=${String(v)}`);
  return `${String(index + 1).padStart(2, '0')}-${parts.join(',')}`
    .replace(/[^A-Za-z0-9._=,+-]+/g, '-')
    .slice(0, 80);
}

/**
 * The cells of a config's sweep, each a complete validated config (without the sweep block).
 * `raw` is the config as written (so a swept value goes through the same schema as a typed one).
 */
export function expandSweep(raw: Record<string, unknown>, sweep: SweepConfig): SweepCell[] {
  const base = structuredClone(raw);
  delete base.sweep;
  return points(sweep).map((values, i) => {
    const id = cellId(i, values);
    const input = structuredClone(base);
    for (const [field, value] of Object.entries(values)) setPath(input, field, value);
    // A field or value the schema refuses is a user error naming the cell and the field.
    const config: ExperimentConfig = parseConfig(input, `sweep cell ${id}`);
    for (const [field, value] of Object.entries(values)) {
      // A field the schema does not know is dropped (or rejected) by it: never swept silently.
      if (JSON.stringify(getPath(config, field)) !== JSON.stringify(value)) {
        throw new UserError(
          `sweep field '${field}' (cell ${id}): not a config field (or the schema changed its value ${JSON.stringify(value)})`,
        );
      }
    }
    return { id, values, config: { ...config, name: `${config.name}-${id}` } };
  });
}

/** Creates the sweep folder and one (empty) run folder per cell. */
export function createSweep(
  parent: string,
  name: string,
  cells: SweepCell[],
): { sweepDir: string; file: SweepFile } {
  const sweepDir = newRunDir(parent, `${name}-sweep`);
  const file: SweepFile = {
    version: 1,
    name,
    created: new Date().toISOString(),
    fields: [...new Set(cells.flatMap((c) => Object.keys(c.values)))],
    cells: cells.map((c) => {
      const runDir = path.join(sweepDir, 'cells', c.id);
      fs.mkdirSync(runDir, { recursive: true });
      return { id: c.id, values: c.values, runDir };
    }),
  };
  writeJsonAtomic(path.join(sweepDir, 'sweep.json'), file);
  return { sweepDir, file };
}

export function readSweep(sweepDir: string): SweepFile | null {
  const f = path.join(sweepDir, 'sweep.json');
  return fs.existsSync(f) ? readJson<SweepFile>(f) : null;
}

export interface SweepRow {
  id: string;
  values: Record<string, unknown>;
  runDir: string;
  state: string;
  pooledUar: number | null;
  meanUar: number | null;
  sdUar: number | null;
  classAccuracy: Record<string, number | null>;
  wallSec: number | null;
  best: boolean;
}

/** Wall time of a run: first fold start to last fold finish (from the folds' environment.json). */
function wallSeconds(run: RunRecord): number | null {
  const root = path.join(run.runDir, 'folds');
  if (!fs.existsSync(root)) return null;
  let start = Infinity;
  let end = -Infinity;
  for (const name of fs.readdirSync(root)) {
    try {
      const env = readJson<{ started?: string; finished?: string }>(
        path.join(root, name, 'environment.json'),
      );
      if (env.started) start = Math.min(start, Date.parse(env.started));
      if (env.finished) end = Math.max(end, Date.parse(env.finished));
    } catch {
      // a fold not started
    }
  }
  return Number.isFinite(start) && Number.isFinite(end) ? (end - start) / 1000 : null;
}

export function sweepTable(sweepDir: string): { file: SweepFile; rows: SweepRow[] } {
  const file = readSweep(sweepDir);
  if (!file) throw new UserError(`${sweepDir}: not a sweep folder (sweep.json missing)`);
  const rows: SweepRow[] = file.cells.map((c) => {
    const run = readRun(c.runDir);
    const s = run.summary;
    return {
      id: c.id,
      values: c.values,
      runDir: c.runDir,
      state: s ? 'done' : (run.status?.state ?? 'not started'),
      pooledUar: s?.pooled.averageAccuracy ?? null,
      meanUar: s?.meanSd?.averageAccuracy?.mean ?? null,
      sdUar: s?.meanSd?.averageAccuracy?.sd ?? null,
      classAccuracy: s?.pooled.classAccuracy ?? {},
      wallSec: wallSeconds(run),
      best: false,
    };
  });
  const scored = rows.filter((r) => r.pooledUar !== null);
  if (scored.length) {
    const top = Math.max(...scored.map((r) => r.pooledUar!));
    for (const r of rows) r.best = r.pooledUar === top;
  }
  return { file, rows };
}

export function renderSweepTable(sweepDir: string): string {
  const { file, rows } = sweepTable(sweepDir);
  const classes = [...new Set(rows.flatMap((r) => Object.keys(r.classAccuracy)))];
  const f3 = (v: number | null) => (v === null ? 'n/a' : v.toFixed(3));
  const head = ['', ...file.fields, 'pooled UAR', 'UAR mean ± sd', ...classes, 'wall s', 'state'];
  const lines = rows.map((r) => [
    r.best ? '*' : '',
    ...file.fields.map((f) => JSON.stringify(r.values[f])),
    f3(r.pooledUar),
    r.meanUar === null ? 'n/a' : `${r.meanUar.toFixed(3)} ± ${r.sdUar === null ? 'n/a' : r.sdUar.toFixed(3)}`,
    ...classes.map((c) => f3(r.classAccuracy[c] ?? null)),
    r.wallSec === null ? 'n/a' : r.wallSec.toFixed(0),
    r.state,
  ]);
  const out = [
    `Sweep ${file.name}: ${rows.length} cells (${sweepDir})`,
    '',
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...lines.map((l) => `| ${l.join(' | ')} |`),
    '',
    '* best pooled UAR',
    '',
  ];
  return out.join('\n');
}
