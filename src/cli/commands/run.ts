import os from 'node:os';
import path from 'node:path';
import { loadConfigFile } from '../../engine/config/file';
import { buildRunDirReport } from '../../engine/report/runReport';
import { renderReport } from '../../engine/report/render';
import type { RunResult } from '../../engine/runs/runner';
import type { RunCostEstimate } from '../../engine/train/estimate';
import { formatEvent, type TrainEvent } from '../../engine/train/events';
import { CancelledError } from '../../engine/train/trainFold';
import { UserError } from '../../engine/util/errors';
import { launchWorker } from '../../worker/launch';
import type { RunJob } from '../../worker/messages';
import { parseCommand, printJson, progress } from '../args';

const usage = [
  'ser-workbench run CONFIG [--data DIR] [--out DIR] [--folds 3,8 | --test-speakers 03,08] [--parallel N] [--batches] [--json]',
  '       ser-workbench run --resume RUNDIR [--folds 3,8 | --test-speakers 03,08] [--parallel N]',
  '       ser-workbench run --gather RUNDIR      (write summary.json from the finished folds)',
  '  --folds N,M           train only these folds (numbered from 1, as folds/fold-NN); other',
  '                        processes may fill the same run folder at once (each fold is claimed)',
].join('\n');

/** Progress on stderr: one line per fold and epoch (and per batch with --batches). */
export function progressPrinter(batches: boolean): (e: TrainEvent) => void {
  return (e) => {
    if (e.type === 'batch' && !batches) return;
    progress(formatEvent(e));
  };
}

/** Default processes for frozen-mode folds: one per core, at most 4. */
export function defaultParallel(): number {
  return Math.max(1, Math.min(4, os.availableParallelism?.() ?? os.cpus().length));
}

/** The JSON document `run --json` prints (`estimate`: the cost estimate shown before training). */
export function resultDocument(r: RunResult, estimate?: RunCostEstimate | null) {
  return {
    ...(estimate ? { estimate } : {}),
    ...(r.foldsDone ? { foldsDone: r.foldsDone.map((i) => i + 1) } : {}),
    ...(r.pending ? { pending: r.pending.map((i) => i + 1) } : {}),
    runDir: r.runDir,
    backend: r.backend,
    mode: r.mode,
    weights: r.weights,
    folds: r.folds,
    averageAccuracy: r.averageAccuracy,
    classAccuracy: r.classAccuracy,
    confusion: r.confusion,
  };
}

/**
 * Runs a job in the training worker with Ctrl-C wired to a clean cancel (the run folder is left
 * resumable, status 'cancelled').
 */
export async function runInWorker(
  job: RunJob,
  batches = false,
  onEvent?: (e: TrainEvent) => void,
): Promise<RunResult> {
  const controller = new AbortController();
  const onSigint = () => {
    progress('cancelling (the run can be resumed with --resume)...');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    const print = progressPrinter(batches);
    return await launchWorker(job, {
      onEvent: (e) => {
        print(e);
        onEvent?.(e);
      },
      signal: controller.signal,
    });
  } catch (err) {
    if (err instanceof CancelledError)
      throw new UserError('cancelled; resume with `ser-workbench run --resume RUNDIR`');
    throw err;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

export async function printResultTable(runDir: string, title?: string): Promise<void> {
  // A baseline grid run prints its one table of every cell.
  process.stdout.write(renderReport(await buildRunDirReport(runDir, { paper: true, title }), 'md'));
  process.stdout.write(`\nrun folder: ${runDir}\n`);
}

export async function run(argv: string[]): Promise<number> {
  const args = parseCommand(
    argv,
    {
      data: { type: 'string' },
      out: { type: 'string' },
      resume: { type: 'string' },
      parallel: { type: 'string' },
      folds: { type: 'string' },
      'test-speakers': { type: 'string' },
      gather: { type: 'string' },
      batches: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
    usage,
  );
  if (!args) return 0;
  const { values, positionals } = args;
  if (values.gather) {
    // Imported here: the runner loads TensorFlow, which the other paths leave to the worker.
    const { gatherRun } = await import('../../engine/runs/runner');
    const result = gatherRun(values.gather);
    if (values.json) printJson(resultDocument(result));
    else await printResultTable(result.runDir);
    return 0;
  }
  const selection = {
    ...(values.folds !== undefined ? { onlyFolds: parseFoldNumbers(values.folds) } : {}),
    ...(values['test-speakers'] !== undefined
      ? { testSpeakers: parseList('--test-speakers', values['test-speakers']) }
      : {}),
  };
  const parallel = values.parallel !== undefined ? Number(values.parallel) : defaultParallel();
  if (!Number.isInteger(parallel) || parallel < 1)
    throw new UserError(`--parallel must be a positive integer`);
  let job: RunJob;
  if (values.resume) {
    job = {
      resumeDir: path.resolve(values.resume),
      parallel,
      ...selection,
      ...(values.data ? { dataDir: path.resolve(values.data) } : {}),
    };
  } else {
    if (positionals.length !== 1) throw new UserError(`expected one config file\nusage: ${usage}`);
    const config = await loadConfigFile(positionals[0]);
    const dataDir =
      values.data ??
      (config.data.dir ? path.resolve(path.dirname(positionals[0]), config.data.dir) : undefined);
    job = {
      config,
      dataDir,
      ...(values.out ? { outDir: path.resolve(values.out) } : {}),
      parallel,
      ...selection,
    };
  }
  let estimate: RunCostEstimate | null = null;
  const result = await runInWorker(job, values.batches, (e) => {
    if (e.estimate) estimate = e.estimate;
  });
  if (values.json) printJson(resultDocument(result, estimate));
  else if (result.summary || result.pending?.length === 0) await printResultTable(result.runDir);
  else printPartial(result);
  return 0;
}

/** After a run that stopped with folds left: what is done and how to go on. */
function printPartial(r: RunResult): void {
  const done = r.foldsDone ?? [];
  const pending = r.pending ?? [];
  process.stdout.write(
    `${done.length} of ${r.folds} folds done (${done.map((i) => i + 1).join(',') || 'none'}); ` +
      `left: ${pending.map((i) => i + 1).join(',')}\n` +
      `the summary is written when the last fold finishes; go on with \`ser-workbench run --resume ${r.runDir}\`\n` +
      `run folder: ${r.runDir}\n`,
  );
}

function parseList(flag: string, value: string): string[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!items.length) throw new UserError(`${flag}: expected a comma-separated list, got '${value}'`);
  return items;
}

/** `--folds 3,8` (numbered from 1, as the fold folders) → 0-based fold indices. */
export function parseFoldNumbers(value: string): number[] {
  return parseList('--folds', value).map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1)
      throw new UserError(`--folds: '${s}' is not a fold number (1, 2, ...)`);
    return n - 1;
  });
}
