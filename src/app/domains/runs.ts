/**
 * Runs as the run store lays them out on disk (<runsDir>/<id>/{config,status,summary}.json and
 * folds/fold-NN/…). Read tolerantly: a run being written or from an older version still lists.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FoldResult, ResultsTable, RunDetail, RunInfo, RunState } from '@shared/contract';
import type { RunSummary } from '../../engine/eval/types';
import { upgradeRunSummary } from '../../engine/eval/schema';
import { foldHistorySchema, foldMetricsSchema, runSummarySchema } from '@shared/run-results';
import type { z } from 'zod';
import { UserError } from '../../engine/util/errors';
import { permittedPath } from '../access';
import {
  cellDir,
  foldDirs,
  readCellsTable,
  readJsonOr,
  readRun,
  type RunConfigFile,
} from '../../engine/runs/store';
import { baselineGrid } from '../../engine/config/schema';
import { readLabel } from './run-manage';
import { runLiveness } from '../../engine/runs/liveness';
import { readNotes } from './run-notes';
import { resolveSweepCell } from './sweeps';
import { crossCorpusLabel } from '@shared/cross-corpus';

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function stateOf(v: unknown): RunState {
  return v === 'running' ||
    v === 'done' ||
    v === 'failed' ||
    v === 'cancelled' ||
    v === 'queued' ||
    v === 'interrupted' ||
    v === 'incomplete'
    ? v
    : 'unknown';
}

/** A run id is the name of a folder directly in the runs folder. */
const RUN_ID = /^[A-Za-z0-9._-]+$/;

/** Whether `dir` holds a run (its job writes config.json and status.json first). */
function isRunFolder(dir: string): boolean {
  // submit.json: a run being prepared for an executor (runs.submit) before its config.json.
  // A sweep folder (sweep.json) is not a run: its cells are (see sweeps.ts).
  if (fs.existsSync(path.join(dir, 'sweep.json'))) return false;
  return ['config.json', 'status.json', 'submit.json'].some((f) => fs.existsSync(path.join(dir, f)));
}

/**
 * The folder of run `id`: a run folder directly in `runsDir`, never `.` or `..` or a link that
 * leads out of it. `live`: a run this session just started, whose folder has no files yet.
 */
export function runDir(runsDir: string, id: string, live = false): string {
  // A sweep's cell: only one its sweep.json lists.
  if (id.includes('/')) {
    const cell = resolveSweepCell(runsDir, id);
    permittedPath([runsDir], cell.dir);
    if (!fs.existsSync(cell.dir)) throw new UserError(`no run '${id}' in ${runsDir}`);
    return cell.dir;
  }
  if (!RUN_ID.test(id) || id === '.' || id === '..') {
    throw new UserError(`'${id}' is not a run id (the name of a run folder in ${runsDir})`);
  }
  const dir = path.join(runsDir, id);
  permittedPath([runsDir], dir);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory() || !(live || isRunFolder(dir))) {
    throw new UserError(`no run '${id}' in ${runsDir}`);
  }
  return dir;
}

function modeLabel(config: RunConfigFile['config'] | undefined): string | null {
  if (!config) return null;
  if (config.model.kind === 'baseline') {
    const g = baselineGrid(config.model);
    return `baseline ${g.featureSets.join(', ')}/${g.classifiers.join(', ')}`;
  }
  const from = config.model.yamnet.trainFrom;
  return from === 'frozen' ? 'frozen' : from === 'full' ? 'fine-tune' : `from block ${from}`;
}

/** What trained a run's folds: backend, executor and hosts from the folds' environment.json. */
function foldEnvironments(dir: string): { backend?: { name?: string }; executor?: string; host?: string }[] {
  return foldDirs(dir)
    .map((f) => readJsonOr<Record<string, unknown> | null>(path.join(f.dir, 'environment.json'), null))
    .filter((e): e is Record<string, unknown> => e !== null);
}

function runColumns(run: ReturnType<typeof readRun>): NonNullable<RunInfo['columns']> {
  const cfg = run.config?.config;
  const envs = foldEnvironments(run.runDir);
  const env = run.environment as {
    backend?: { name?: string };
    weights?: { source?: string; init?: string };
  } | null;
  // Read tolerantly: a config.json of an older version may lack any block.
  const yamnet = cfg?.model?.kind === 'yamnet-lstm' ? cfg.model.yamnet : null;
  const executors = [...new Set(envs.map((e) => e.executor).filter((e): e is string => !!e))];
  return {
    trainFrom: yamnet?.trainFrom !== undefined ? String(yamnet.trainFrom) : null,
    learningRate: num(cfg?.training?.learningRate),
    weights: env?.weights ? (env.weights.source ?? env.weights.init ?? null) : null,
    backend: env?.backend?.name ?? envs.find((e) => e.backend?.name)?.backend?.name ?? cfg?.backend ?? null,
    // What filled the folds; before any fold ran, what the config asks for.
    executor: executors.length ? executors.join(', ') : (cfg?.execution?.executor ?? null),
    hosts: [...new Set(envs.map((e) => e.host).filter((h): h is string => !!h))],
  };
}

export function readRunInfo(dir: string, live: boolean, id = path.basename(dir)): RunInfo {
  const run = readRun(dir);
  const cfg = run.config?.config;
  const status = run.status;
  // 'running' left behind by a process that is gone (killed, machine restarted) is 'interrupted',
  // resumable; a live fold claim (a second process, a cluster task) keeps a run 'running'.
  const seen = runLiveness(dir, status, run.foldsDone);
  // A job this process just started (or resumed) is running whatever status.json still says.
  const state: RunState = live ? 'running' : stateOf(seen.state);
  const corpus = cfg?.data.corpus && cfg.data.corpus !== 'auto' ? cfg.data.corpus : null;
  const dataDir = run.config?.dataDir || cfg?.data.dir || '';
  const notes = readNotes(dir);
  const meanSd = (run.summary as { meanSd?: { averageAccuracy?: { mean?: unknown; sd?: unknown } } } | null)
    ?.meanSd?.averageAccuracy;
  return {
    id,
    dir,
    name: readLabel(dir) ?? cfg?.name ?? path.basename(dir),
    state,
    createdAt: run.config?.created ?? fs.statSync(dir).birthtime.toISOString(),
    corpus:
      cfg?.crossValidation?.scheme === 'cross-corpus'
        ? crossCorpusLabel(corpus ?? path.basename(dataDir), cfg.crossValidation)
        : (corpus ?? (dataDir ? path.basename(dataDir) : null)),
    mode: run.config?.mode ?? modeLabel(cfg),
    fold: num(status?.fold),
    folds: num(status?.folds) ?? run.config?.foldAssignment?.length ?? null,
    epoch: num(status?.epoch),
    epochs: num(status?.epochs) ?? cfg?.training.epochs ?? null,
    error: str(status?.error),
    live,
    etaSec: state === 'running' || live ? num(status?.etaSec) : null,
    updatedAt: str(status?.updated),
    uar: num((run.summary as { pooled?: { averageAccuracy?: unknown } } | null)?.pooled?.averageAccuracy),
    resumable: !live && seen.resumable,
    training: seen.training,
    columns: runColumns(run),
    meanUar: num(meanSd?.mean),
    sdUar: num(meanSd?.sd),
    tags: notes.tags,
    notes: notes.notes,
  };
}

export function listRunDirs(runsDir: string): string[] {
  if (!fs.existsSync(runsDir)) return [];
  return fs
    .readdirSync(runsDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && RUN_ID.test(e.name))
    .map((e) => path.join(runsDir, e.name))
    .filter(isRunFolder);
}

/**
 * `value` as `schema` types it, or null when it does not fit: a result file being written, cut
 * short or from a version this one cannot read shows as "no result yet", as a missing one does.
 */
function typedOrNull<S extends z.ZodType>(schema: S, value: unknown): z.output<S> | null {
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

export function readRunDetail(dir: string, live: boolean): RunDetail {
  const run = readRun(dir);
  const assignment = run.config?.foldAssignment ?? [];
  const folds: FoldResult[] = foldDirs(dir).map(({ fold, dir: fd }) => ({
    fold,
    test: assignment.find((a) => a.index === fold)?.test ?? [],
    metrics: typedOrNull(foldMetricsSchema, readJsonOr<unknown>(path.join(fd, 'metrics.json'), null)),
    history: typedOrNull(foldHistorySchema, readJsonOr<unknown>(path.join(fd, 'history.json'), null)),
    done: run.foldsDone.includes(fold),
  }));
  return {
    info: readRunInfo(dir, live),
    config: run.config,
    environment: run.environment,
    status: run.status,
    summary: typedOrNull(runSummarySchema, run.summary),
    folds,
  };
}

/** One cell of a baseline grid run with its own summary (cells/<id>/summary.json). */
export interface GridCellSummary {
  id: string;
  label: string;
  summary: RunSummary;
}

/** A run's summary; a grid run's carries its cells (in table order) for the table and comparison. */
export type SummaryWithCells = RunSummary & { gridCells?: GridCellSummary[] };

export function readSummary(dir: string): SummaryWithCells {
  const summary = upgradeRunSummary(readJsonOr<RunSummary | null>(path.join(dir, 'summary.json'), null));
  if (!summary) throw new UserError(`run ${path.basename(dir)} has no results yet (summary.json is missing)`);
  const table = readJsonOr<ReturnType<typeof readCellsTable>>(path.join(dir, 'table.json'), null);
  if (!table || !Array.isArray(table.cells) || table.cells.length <= 1) return summary;
  const gridCells = table.cells.map((c) => {
    const cell = upgradeRunSummary(
      readJsonOr<RunSummary | null>(path.join(cellDir(dir, c.id), 'summary.json'), null),
    );
    if (!cell) throw new UserError(`run ${path.basename(dir)}: cell ${c.id} has no summary.json`);
    return { id: c.id, label: `${c.featureSet} + ${c.classifier}`, summary: cell };
  });
  return { ...summary, gridCells };
}

function confusionCounts(summary: RunSummary): ResultsTable['confusion'] {
  return {
    pooled: summary.pooled.confusion.matrix,
    folds: summary.folds.map((f) => ({ fold: f.index, matrix: f.metrics.confusion.matrix })),
  };
}

/** Pooled, mean and sd rows of one summary (labels prefixed for a grid cell). */
function summaryRows(summary: RunSummary, prefix = '', cell?: string): ResultsTable['rows'] {
  const classes = summary.classes;
  const ms = summary.meanSd;
  const tag = cell ? { cell } : {};
  return [
    {
      label: `${prefix}pooled`,
      kind: 'pooled',
      perClass: classes.map((c) => summary.pooled.classAccuracy[c] ?? null),
      average: summary.pooled.averageAccuracy,
      accuracy: summary.pooled.weightedAccuracy,
      ...tag,
    },
    {
      label: `${prefix}mean`,
      kind: 'mean',
      perClass: classes.map((c) => ms.classAccuracy[c]?.mean ?? null),
      average: ms.averageAccuracy.mean,
      accuracy: ms.weightedAccuracy.mean,
      ...tag,
    },
    {
      label: `${prefix}sd`,
      kind: 'sd',
      perClass: classes.map((c) => ms.classAccuracy[c]?.sd ?? null),
      average: ms.averageAccuracy.sd,
      accuracy: ms.weightedAccuracy.sd,
      ...tag,
    },
  ];
}

/**
 * Table II from a run summary: one row per fold, then pooled, mean and sd. A grid run gives one
 * table of pooled, mean and sd rows per cell, and each cell's confusion counts.
 */
export function resultsTable(summary: SummaryWithCells): ResultsTable {
  const classes = summary.classes;
  if (summary.gridCells && summary.gridCells.length > 1) {
    return {
      classes,
      rows: summary.gridCells.flatMap((c) => summaryRows(c.summary, `${c.label} — `, c.id)),
      confusion: confusionCounts(summary.gridCells[0].summary),
      cells: summary.gridCells.map((c) => ({
        id: c.id,
        label: c.label,
        confusion: confusionCounts(c.summary),
      })),
    };
  }
  const rows: ResultsTable['rows'] = summary.folds.map((f) => ({
    label: `fold ${f.index + 1}${f.testSpeakers.length ? ` (${f.testSpeakers.join(', ')})` : ''}`,
    kind: 'fold' as const,
    perClass: classes.map((c) => f.metrics.classAccuracy[c] ?? null),
    average: f.metrics.averageAccuracy,
    accuracy: f.metrics.weightedAccuracy,
  }));
  rows.push(...summaryRows(summary));
  return { classes, rows, confusion: confusionCounts(summary) };
}
