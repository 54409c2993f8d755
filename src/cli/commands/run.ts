import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfigFile } from '../../engine/config/file';
import { buildRunDirReport } from '../../engine/report/runReport';
import { renderReport } from '../../engine/report/render';
import { checkOutputLocations } from '../../engine/runs/locations';
import type { RunResult } from '../../engine/runs/runner';
import { checkResumeConfig } from '../../engine/runs/prepare';
import { readRun } from '../../engine/runs/store';
import type { RunCostEstimate } from '../../engine/train/estimate';
import { formatEvent, type TrainEvent } from '../../engine/train/events';
import { CancelledError } from '../../engine/train/trainFold';
import { UserError } from '../../engine/util/errors';
import type { SkippedFile } from '../../engine/corpora/types';
import { launchWorker } from '../../worker/launch';
import type { RunJob } from '../../worker/messages';
import { parseCommand, printJson, progress } from '../args';

const usage =
  'ser-workbench run CONFIG [--data DIR] [--out DIR] [--parallel N] [--batches] [--repair-nonfinite] [--json]\n' +
  "       ser-workbench run --resume RUNDIR [CONFIG (must equal the run's)] [--data DIR] [--parallel N]";

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
  let runDir = 'RUNDIR';
  const onSigint = () => {
    progress(`cancelling (resume with: ser-workbench run --resume ${runDir})...`);
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    const print = progressPrinter(batches);
    return await launchWorker(job, {
      onEvent: (e) => {
        if (e.runDir) runDir = e.runDir;
        print(e);
        onEvent?.(e);
      },
      signal: controller.signal,
    });
  } catch (err) {
    if (err instanceof CancelledError)
      throw new UserError(`cancelled; resume with \`ser-workbench run --resume ${runDir}\``);
    throw err;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** Files the run's corpus index left out, with why (from the run folder's index.json). */
export function skippedFiles(runDir: string): SkippedFile[] {
  try {
    const index = JSON.parse(fs.readFileSync(path.join(runDir, 'index.json'), 'utf8')) as {
      skipped?: SkippedFile[];
    };
    return Array.isArray(index.skipped) ? index.skipped : [];
  } catch {
    return [];
  }
}

/** How many skipped files are named one by one; the rest are counted. */
const SKIPPED_SHOWN = 10;

/** "skipped 3 files:" and one line per file (at most SKIPPED_SHOWN), or '' when none was. */
export function skippedText(runDir: string): string {
  const skipped = skippedFiles(runDir);
  if (!skipped.length) return '';
  const lines = skipped.slice(0, SKIPPED_SHOWN).map((f) => `  ${f.path}: ${f.reason}`);
  if (skipped.length > SKIPPED_SHOWN)
    lines.push(`  … and ${skipped.length - SKIPPED_SHOWN} more (all in ${path.join(runDir, 'index.json')})`);
  return `skipped ${skipped.length} file${skipped.length === 1 ? '' : 's'}:\n${lines.join('\n')}\n`;
}

export async function printResultTable(runDir: string, title?: string): Promise<void> {
  // A baseline grid run prints its one table of every cell.
  process.stdout.write(renderReport(await buildRunDirReport(runDir, { paper: true, title }), 'md'));
  const skipped = skippedText(runDir);
  if (skipped) process.stdout.write(`\n${skipped}`);
  // The folder's exact path is the first line of the run's progress and the last of its output.
  process.stdout.write(`\nrun folder: ${runDir}\n`);
}

async function checkResumeConfigFile(runDir: string, file: string): Promise<void> {
  const given = await loadConfigFile(file);
  const recorded = readRun(runDir).config;
  if (!recorded) throw new UserError(`${runDir}: not a run folder (config.json missing)`);
  checkResumeConfig(runDir, recorded.config, given);
}

/**
 * The run folder `--resume` names: the folder itself, or the one run inside a parent folder (what
 * `--out` was given), so that `run --out X` can be resumed with `run --resume X`.
 */
export function resolveResumeDir(given: string): string {
  const dir = path.resolve(given);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
    throw new UserError(`--resume ${dir}: no such folder`);
  if (fs.existsSync(path.join(dir, 'config.json'))) return dir;
  const runs = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(dir, e.name, 'config.json')))
    .map((e) => path.join(dir, e.name))
    .sort();
  if (runs.length === 1) {
    progress(`resuming the one run in ${dir}: ${runs[0]}`);
    return runs[0];
  }
  if (!runs.length)
    throw new UserError(`--resume ${dir}: not a run folder (no config.json) and it holds no run`);
  const named = runs.slice(0, 5).map((r) => `  ${r}`);
  if (runs.length > 5) named.push(`  … and ${runs.length - 5} more`);
  throw new UserError(`--resume ${dir} holds ${runs.length} runs; name one of them:\n${named.join('\n')}`);
}

export async function run(argv: string[]): Promise<number> {
  const args = parseCommand(
    argv,
    {
      data: { type: 'string' },
      out: { type: 'string' },
      resume: { type: 'string' },
      parallel: { type: 'string' },
      batches: { type: 'boolean', default: false },
      'repair-nonfinite': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
    usage,
  );
  if (!args) return 0;
  const { values, positionals } = args;
  const parallel = values.parallel !== undefined ? Number(values.parallel) : defaultParallel();
  if (!Number.isInteger(parallel) || parallel < 1)
    throw new UserError(`--parallel must be a positive integer`);
  let job: RunJob;
  if (values.resume) {
    if (positionals.length > 1) throw new UserError(`expected at most one config file\nusage: ${usage}`);
    // A config beside --resume must be the run's own: a resumed run never takes another.
    if (positionals.length === 1) await checkResumeConfigFile(path.resolve(values.resume), positionals[0]);
    job = {
      resumeDir: resolveResumeDir(values.resume),
      parallel,
      ...(values.data ? { dataDir: path.resolve(values.data) } : {}),
    };
  } else {
    if (positionals.length !== 1) throw new UserError(`expected one config file\nusage: ${usage}`);
    const config = await loadConfigFile(positionals[0]);
    const dataDir =
      values.data ??
      (config.data.dir ? path.resolve(path.dirname(positionals[0]), config.data.dir) : undefined);
    job = { config, dataDir, ...(values.out ? { outDir: path.resolve(values.out) } : {}), parallel };
  }
  if (values['repair-nonfinite']) job.repairNonFinite = true;
  // Before the worker starts: a bad --out or data home is one user error, and no run folder is made.
  checkOutputLocations({ outDir: job.outDir, resuming: !!job.resumeDir });
  let estimate: RunCostEstimate | null = null;
  const result = await runInWorker(job, values.batches, (e) => {
    if (e.estimate) estimate = e.estimate;
  });
  if (values.json) {
    const skipped = skippedText(result.runDir);
    if (skipped) progress(skipped.trimEnd());
    printJson({ ...resultDocument(result, estimate), skipped: skippedFiles(result.runDir) });
  } else await printResultTable(result.runDir);
  return 0;
}
