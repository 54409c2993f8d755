/**
 * Runs as the run store lays them out on disk (<runsDir>/<id>/{config,status,summary}.json and
 * folds/fold-NN/…). Read tolerantly: a run being written or from an older version still lists.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FoldResult, ResultsTable, RunDetail, RunInfo, RunState } from '../../shared/contract';
import type { RunSummary } from '../../engine/eval/types';
import { UserError } from '../../engine/util/errors';

function readJsonOr<T>(file: string, fallback: T): T {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return fallback;
  }
}

type Obj = Record<string, unknown>;
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function stateOf(v: unknown): RunState {
  return v === 'running' || v === 'done' || v === 'failed' || v === 'cancelled' || v === 'queued'
    ? v
    : 'unknown';
}

export function runDir(runsDir: string, id: string): string {
  const dir = path.join(runsDir, id);
  // A run just started has its folder before its job writes config.json.
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new UserError(`no run '${id}' in ${runsDir}`);
  }
  return dir;
}

export function foldDirs(dir: string): { fold: number; dir: string }[] {
  const foldsDir = path.join(dir, 'folds');
  if (!fs.existsSync(foldsDir)) return [];
  return (
    fs
      .readdirSync(foldsDir)
      .map((name) => ({ name, m: /^fold-(\d+)$/.exec(name) }))
      .filter((e) => e.m)
      // Folders are numbered from 1 (fold-01 holds fold index 0).
      .map((e) => ({ fold: Number(e.m![1]) - 1, dir: path.join(foldsDir, e.name) }))
      .sort((a, b) => a.fold - b.fold)
  );
}

export function readRunInfo(dir: string, live: boolean): RunInfo {
  const config = readJsonOr<Obj>(path.join(dir, 'config.json'), {});
  const status = readJsonOr<Obj>(path.join(dir, 'status.json'), {});
  const cfg = ((config.config as Obj | undefined) ?? config) as Obj;
  const training = (cfg.training ?? {}) as Obj;
  const model = (cfg.model ?? {}) as Obj;
  const yamnet = (model.yamnet ?? {}) as Obj;
  const data = (cfg.data ?? {}) as Obj;
  const foldsFile = readJsonOr<unknown>(path.join(dir, 'folds.json'), null);
  const foldList = Array.isArray(foldsFile)
    ? foldsFile
    : Array.isArray((foldsFile as Obj | null)?.folds)
      ? ((foldsFile as Obj).folds as unknown[])
      : null;
  const stat = fs.statSync(dir);
  const trainFrom = yamnet.trainFrom;
  const mode =
    str(config.mode) ??
    (model.kind === 'baseline'
      ? `baseline ${String(model.features)}/${String(model.classifier)}`
      : trainFrom === 'frozen'
        ? 'frozen'
        : trainFrom === 'full'
          ? 'fine-tune'
          : typeof trainFrom === 'number'
            ? `from block ${trainFrom}`
            : null);
  let state = stateOf(status.state);
  // A 'running' status left by a process that is gone is not running any more.
  if (state === 'running' && !live) state = 'unknown';
  return {
    id: path.basename(dir),
    dir,
    name: str(cfg.name) ?? path.basename(dir),
    state,
    createdAt: str(config.created) ?? str(status.startedAt) ?? stat.birthtime.toISOString(),
    corpus:
      str(data.corpus) && data.corpus !== 'auto'
        ? str(data.corpus)
        : str(data.dir)
          ? path.basename(String(data.dir))
          : null,
    mode,
    fold: num(status.fold),
    folds: num(status.folds) ?? (foldList ? foldList.length : null),
    epoch: num(status.epoch),
    epochs: num(status.epochs) ?? num(training.epochs),
    error: str(status.error),
    live,
  };
}

export function listRunDirs(runsDir: string): string[] {
  if (!fs.existsSync(runsDir)) return [];
  return fs
    .readdirSync(runsDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && /^[A-Za-z0-9._-]+$/.test(e.name))
    .map((e) => path.join(runsDir, e.name))
    .filter((d) => fs.existsSync(path.join(d, 'config.json')) || fs.existsSync(path.join(d, 'status.json')));
}

export function readRunDetail(dir: string, live: boolean): RunDetail {
  const folds: FoldResult[] = foldDirs(dir).map(({ fold, dir: fd }) => {
    const metrics = readJsonOr<unknown>(path.join(fd, 'metrics.json'), null);
    const history = readJsonOr<unknown>(path.join(fd, 'history.json'), null);
    const test = readJsonOr<Obj>(path.join(fd, 'done.json'), {});
    return {
      fold,
      test: Array.isArray(test.testSpeakers) ? (test.testSpeakers as string[]) : [],
      metrics,
      history,
      done: fs.existsSync(path.join(fd, 'done.json')),
    };
  });
  return {
    info: readRunInfo(dir, live),
    config: readJsonOr<unknown>(path.join(dir, 'config.json'), null),
    environment: readJsonOr<unknown>(path.join(dir, 'environment.json'), null),
    status: readJsonOr<unknown>(path.join(dir, 'status.json'), null),
    summary: readJsonOr<unknown>(path.join(dir, 'summary.json'), null),
    folds,
  };
}

export function readSummary(dir: string): RunSummary {
  const summary = readJsonOr<RunSummary | null>(path.join(dir, 'summary.json'), null);
  if (!summary) throw new UserError(`run ${path.basename(dir)} has no results yet (summary.json is missing)`);
  return summary;
}

/** Table II from a run summary: one row per fold, then pooled, mean and sd. */
export function resultsTable(summary: RunSummary): ResultsTable {
  const classes = summary.classes;
  const rows: ResultsTable['rows'] = summary.folds.map((f) => ({
    label: `fold ${f.index + 1}${f.testSpeakers.length ? ` (${f.testSpeakers.join(', ')})` : ''}`,
    kind: 'fold' as const,
    perClass: classes.map((c) => f.metrics.classAccuracy[c] ?? null),
    average: f.metrics.averageAccuracy,
    accuracy: f.metrics.weightedAccuracy,
  }));
  rows.push({
    label: 'pooled',
    kind: 'pooled',
    perClass: classes.map((c) => summary.pooled.classAccuracy[c] ?? null),
    average: summary.pooled.averageAccuracy,
    accuracy: summary.pooled.weightedAccuracy,
  });
  const ms = summary.meanSd;
  rows.push({
    label: 'mean',
    kind: 'mean',
    perClass: classes.map((c) => ms.classAccuracy[c]?.mean ?? null),
    average: ms.averageAccuracy.mean,
    accuracy: ms.weightedAccuracy.mean,
  });
  rows.push({
    label: 'sd',
    kind: 'sd',
    perClass: classes.map((c) => ms.classAccuracy[c]?.sd ?? null),
    average: ms.averageAccuracy.sd,
    accuracy: ms.weightedAccuracy.sd,
  });
  return {
    classes,
    rows,
    confusion: {
      pooled: summary.pooled.confusion.matrix,
      folds: summary.folds.map((f) => ({ fold: f.index, matrix: f.metrics.confusion.matrix })),
    },
  };
}
