/**
 * The handler table: one function per contract method, shared by Electron IPC (src/main) and the
 * HTTP server. Requests arrive already validated by `dispatch`; handlers check file paths
 * against the permitted folders before touching the file system.
 */
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { UserError } from '../engine/util/errors';
import { parseConfig, type ExperimentConfig } from '../engine/config/schema';
import { crossCorpusDirs } from '@shared/cross-corpus';
import { dataHome, repoRoot } from '../engine/util/paths';
import type {
  AppInfo,
  AudioView,
  BaselineEstimate,
  Dataset,
  FoldsPreview,
  LayerCostTableInfo,
  Res,
  StarterCorpus,
  TsneResult,
} from '@shared/contract';
import type { TaskName } from '@shared/worker-messages';
import type { TaskArgs } from '../worker/task-table';
import type { HandlerTable } from './dispatch';
import { permitted, permittedRoots, type WorkbenchContext } from './context';
import type { TaskOptions } from './tasks';
import { listFolder } from './domains/datasets';
import { starterCorpus } from './domains/starter';
import { configSchema, validateConfig, type Retime } from './domains/experiment';
import { readRunDetail, readRunInfo, readSummary, resultsTable, runDir } from './domains/runs';
import { listTrash, renameRun, restoreRun, trashRun } from './domains/run-manage';
import { deleteSweep, restoreSweep } from './domains/sweep-trash';
import { writeNotes } from './domains/run-notes';
import { cellInfo, listRunTable, runInfo } from './domains/run-table';
import { resolveSweepCell } from './domains/sweeps';
import { carryOut, createSubmission, needsSubmission, resubmit, type Submission } from './domains/submit';
import { cancelJobs, readJobs } from '../engine/exec/slurm';
import { launchWorker } from '../worker/launch';
import { compareRuns, runPredictions } from './domains/diagnostics';
import { exportReport, paperComparison } from './domains/report';
import { backendsInfo, weightsDownload, weightsImport, weightsStatus } from './domains/system';

const LICENCES: AppInfo['licences'] = [
  { name: 'YAMNet model and weights', licence: 'Apache-2.0', note: 'TensorFlow Models / TF Hub, © Google' },
  { name: 'AudioSet class names', licence: 'CC BY-SA 4.0', note: 'AudioSet ontology, © Google' },
  { name: 'RAVDESS (test data)', licence: 'CC BY-NC-SA 4.0', note: 'Livingstone & Russo, 2018' },
  { name: 'ser-workbench', licence: 'Apache-2.0', note: 'this application' },
];

function version(): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
      version: string;
    };
    return pkg.version;
  } catch {
    return '0.0.0';
  }
}

/** A heavy handler, run in a task worker; its progress goes out as `task.progress` events. */
function runTask<N extends TaskName>(
  ctx: WorkbenchContext,
  name: N,
  args: TaskArgs[N],
  taskId: string | undefined,
  options: Pick<TaskOptions, 'threads' | 'supersede'> = {},
): Promise<unknown> {
  return ctx.tasks.run(name, args, {
    taskId,
    onProgress: (p) => ctx.emit({ type: 'task.progress', task: name, ...p }),
    ...options,
  });
}

function isFolder(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The folder of run `id` in the runs folder (a run this session just started counts). */
function runFolder(ctx: WorkbenchContext, id: string): string {
  return runDir(ctx.settings.get().runsDir, id, ctx.jobs.isLive(id));
}

/** A run's table row: a sweep cell's carries its sweep and fold jobs. */
function runRow(ctx: WorkbenchContext, id: string): Res<'runs.get'>['info'] {
  const live = ctx.jobs.isLive(id);
  if (id.includes('/')) return cellInfo(resolveSweepCell(ctx.settings.get().runsDir, id), live);
  return runInfo(runFolder(ctx, id), live);
}

/** Where a run's Slurm jobs were submitted from: its sweep folder (a cell) or itself. */
function submitDirOf(ctx: WorkbenchContext, id: string): string {
  return id.includes('/') ? resolveSweepCell(ctx.settings.get().runsDir, id).sweepDir : runFolder(ctx, id);
}

/**
 * The config's corpus folder, checked against the permitted folders, as are the further corpora
 * of a cross-corpus config (the run reads them too).
 */
function permittedCorpora(ctx: WorkbenchContext, config: ExperimentConfig): string {
  if (!config.data.dir) throw new UserError('data.dir: choose a corpus folder first');
  for (const c of crossCorpusDirs(config.crossValidation)) permitted(ctx, c.dir);
  return permitted(ctx, config.data.dir);
}

/**
 * Sends a config through its executor (sweep and/or Slurm): folders now, preparation and
 * submission in the background, reported as run events and in submit.json.
 */
function submit(ctx: WorkbenchContext, raw: unknown): Res<'runs.submit'> {
  const config = parseConfig(raw);
  const dataDir = permittedCorpora(ctx, config);
  const s: Submission = createSubmission(raw, ctx.settings.get().runsDir);
  void carryOut(s, {
    runsDir: ctx.settings.get().runsDir,
    dataDir,
    emit: ctx.emit,
    launch: (job, opts) => launchWorker(job, opts),
  });
  return { sweep: s.sweep, runs: s.targets.map((t) => runRow(ctx, t.id)) };
}

/** A cost task on a config (layer table, estimates): its corpus must lie in the permitted folders. */
function configTask(
  ctx: WorkbenchContext,
  name:
    | 'experiment.layers'
    | 'experiment.estimate'
    | 'experiment.baselineEstimate'
    | 'runs.check'
    | 'folds.preview',
  req: { config: unknown; taskId?: string },
  options: Pick<TaskOptions, 'threads' | 'supersede'> = {},
): Promise<unknown> {
  return runTask(ctx, name, { config: req.config, roots: permittedRoots(ctx) }, req.taskId, options);
}

/**
 * A cost task timed on the run's fold-worker thread budget: the first worker answers, or, when its
 * TensorFlow threads differ from that budget, says which budget, and a worker with it answers.
 */
async function timedConfigTask(
  ctx: WorkbenchContext,
  name: 'experiment.layers' | 'experiment.estimate',
  req: { config: unknown; taskId?: string },
): Promise<unknown> {
  const first = await configTask(ctx, name, req);
  const retime = (first as Partial<Retime>).retimeWithThreads;
  if (retime === undefined) return first;
  const answer = await configTask(ctx, name, req, { threads: retime });
  if ((answer as Partial<Retime>).retimeWithThreads !== undefined)
    throw new Error(`${name}: a worker with ${retime} thread(s) asked to be timed elsewhere`);
  return answer;
}

function requireDialogs(ctx: WorkbenchContext) {
  if (!ctx.dialogs) throw new UserError('native dialogs exist only in the desktop app');
  return ctx.dialogs;
}

export const handlers: HandlerTable<WorkbenchContext> = {
  'app.info': async (_req, ctx) => ({
    name: 'ser-workbench',
    version: version(),
    shell: ctx.shell,
    platform: `${os.platform()} ${os.arch()}`,
    node: process.versions.node,
    dataHome: dataHome(),
    licences: LICENCES,
    starter: starterCorpus(),
  }),

  'settings.get': async (_req, ctx) => ctx.settings.get(),
  'settings.update': async (req, ctx) => {
    // A page may not widen its own file access: in the browser the folders come from `serve`.
    if (req.dataDirs && ctx.shell !== 'electron') {
      throw new UserError('data folders are set with `serve --data-dir` in browser mode');
    }
    if (req.dataDirs) {
      for (const d of req.dataDirs) {
        if (!path.isAbsolute(d) || !fs.existsSync(d))
          throw new UserError(`${d}: not an existing absolute folder`);
      }
    }
    return ctx.settings.update(req);
  },

  'datasets.index': async (req, ctx) => {
    const dir = permitted(ctx, req.dir);
    if (!isFolder(dir)) throw new UserError(`${req.dir}: not a folder`);
    const { taskId, ...request } = req;
    const dataset = (await runTask(ctx, 'datasets.index', { ...request, dir }, taskId)) as Dataset;
    ctx.settings.addDataset(req.dir);
    return dataset;
  },
  'folders.list': async (req, ctx) => {
    const roots = ctx.settings.get().dataDirs;
    if (!req.dir)
      return { dir: null, parent: null, folders: roots.map((r) => ({ name: r, path: r })), audioFiles: 0 };
    const dir = permitted(ctx, req.dir);
    if (!isFolder(dir)) throw new UserError(`${req.dir}: not a folder`);
    return listFolder(dir, roots);
  },
  'datasets.addStarter': async (_req, ctx) => {
    // Writing the synthetic starter (when there is no shared corpus) is audio synthesis: a task.
    const starter = (await runTask(ctx, 'datasets.starter', {}, undefined)) as StarterCorpus;
    ctx.settings.grant(starter.dir);
    const dataset = (await runTask(ctx, 'datasets.index', { dir: starter.dir }, undefined)) as Dataset;
    ctx.settings.addDataset(starter.dir);
    return dataset;
  },
  'datasets.remove': async (req, ctx) => ctx.settings.removeDataset(req.dir),
  'audio.view': async (req, ctx) =>
    (await runTask(
      ctx,
      'audio.view',
      { file: permitted(ctx, req.path), columns: req.columns },
      req.taskId,
    )) as AudioView,

  'config.schema': async () => configSchema(),
  'config.validate': async (req) => validateConfig(req.config),
  // In a task worker (it indexes the corpus), in a lane of its own where a newer preview from the
  // same form drops the older ones still queued: typing in the form never builds a backlog.
  'folds.preview': async (req, ctx) =>
    (await configTask(ctx, 'folds.preview', req, {
      supersede: `folds.preview:${req.channel ?? ''}`,
    })) as FoldsPreview,
  'experiment.layers': async (req, ctx) =>
    (await timedConfigTask(ctx, 'experiment.layers', req)) as LayerCostTableInfo,
  'experiment.estimate': async (req, ctx) =>
    (await timedConfigTask(ctx, 'experiment.estimate', req)) as Res<'experiment.estimate'>,

  'experiment.baselineEstimate': async (req, ctx) =>
    (await configTask(ctx, 'experiment.baselineEstimate', req)) as BaselineEstimate,

  'runs.list': async (_req, ctx) => {
    const runsDir = ctx.settings.get().runsDir;
    // A run this session just started lists before its job has written config.json.
    const live = ctx.jobs.liveIds().map((id) => path.join(runsDir, id));
    return listRunTable(runsDir, live, (id) => ctx.jobs.isLive(id));
  },
  'runs.get': async (req, ctx) => ({
    ...readRunDetail(runFolder(ctx, req.id), ctx.jobs.isLive(req.id)),
    info: runRow(ctx, req.id),
  }),
  'runs.submit': async (req, ctx) => submit(ctx, req.config),
  'runs.start': async (req, ctx) => {
    // The same checks and messages as `ser-workbench run`, all before the run folder exists.
    const config = parseConfig(req.config);
    // A sweep or the slurm executor goes through the executors (its first run is returned).
    if (needsSubmission(config)) return submit(ctx, req.config).runs[0];
    permittedCorpora(ctx, config);
    // Indexing the corpora and making their folds can take seconds on a large corpus: a task.
    await configTask(ctx, 'runs.check', { config: req.config });
    const runsDir = ctx.settings.get().runsDir;
    const { newRunDir } = await import('../engine/runs/store');
    return ctx.jobs.start({ config, runDir: newRunDir(runsDir, config.name), resume: false });
  },
  'runs.cancel': async (req, ctx) => {
    if (ctx.jobs.cancel(req.id)) return { ok: true as const };
    // A run sent to Slurm: scancel its jobs (a sweep's cells share one array job).
    const dir = submitDirOf(ctx, req.id);
    if (readJobs(dir).length && cancelJobs(dir).length) return { ok: true as const };
    throw new UserError(`run ${req.id} is not running in this session`);
  },
  'runs.resume': async (req, ctx) => {
    const dir = runFolder(ctx, req.id);
    if (ctx.jobs.isLive(req.id)) throw new UserError(`run ${req.id} is already running`);
    // A run sent to Slurm resumes there: its unfinished folds (not queued or running) go out again.
    const submitDir = submitDirOf(ctx, req.id);
    if (readJobs(submitDir).length) {
      const record = resubmit(submitDir, dir);
      ctx.emit({
        type: 'run.log',
        runId: req.id,
        line: `submitted Slurm job ${record.jobId} (resume)`,
        level: 'info',
      });
      return runRow(ctx, req.id);
    }
    const info = readRunInfo(dir, false);
    if (info.state === 'done') throw new UserError(`run ${req.id} is complete; nothing to resume`);
    if (info.state === 'running') throw new UserError(`run ${req.id} is running in another process`);
    return ctx.jobs.start({ config: null, runDir: dir, resume: true });
  },

  'runs.rename': async (req, ctx) => {
    renameRun(runFolder(ctx, req.id), req.name);
    return runRow(ctx, req.id);
  },
  'runs.annotate': async (req, ctx) => {
    writeNotes(runFolder(ctx, req.id), { tags: req.tags, notes: req.notes });
    return runRow(ctx, req.id);
  },
  'runs.delete': async (req, ctx) => {
    const dir = runFolder(ctx, req.id);
    if (ctx.jobs.isLive(req.id)) throw new UserError(`run ${req.id} is running: cancel it first`);
    if (readRunInfo(dir, false).state === 'running')
      throw new UserError(`run ${req.id} is running in another process: stop it first`);
    return trashRun(dir);
  },
  'runs.trash': async () => listTrash(),
  'runs.restore': async (req, ctx) => readRunInfo(restoreRun(req.id, ctx.settings.get().runsDir), false),
  'sweeps.delete': async (req, ctx) =>
    deleteSweep(ctx.settings.get().runsDir, req.id, (id) => ctx.jobs.isLive(id)),
  'sweeps.restore': async (req, ctx) =>
    restoreSweep(ctx.settings.get().runsDir, req.id, (id) => ctx.jobs.isLive(id)),

  'results.table': async (req, ctx) => resultsTable(readSummary(runFolder(ctx, req.id))),
  'results.paper': async (req, ctx) => paperComparison(readSummary(runFolder(ctx, req.id))),
  'results.tsne': async (req, ctx) =>
    (await runTask(
      ctx,
      'results.tsne',
      {
        runDir: runFolder(ctx, req.id),
        fold: req.fold,
        perplexity: req.perplexity ?? 30,
        seed: req.seed ?? 0,
        method: req.method ?? 'tsne',
        trainVal: req.trainVal ?? false,
      },
      req.taskId,
    )) as TsneResult,
  'results.visualisation': async (req, ctx) =>
    (await runTask(
      ctx,
      'results.visualisation',
      {
        runDir: runFolder(ctx, req.id),
        perplexity: req.perplexity ?? 30,
        seed: req.seed ?? 0,
        method: req.method ?? 'tsne',
        epochs: req.epochs,
      },
      req.taskId,
    )) as TsneResult,
  'tasks.cancel': async (req, ctx) => ({ cancelled: ctx.tasks.cancel(req.taskId) }),
  'results.predictions': async (req, ctx) => runPredictions(runFolder(ctx, req.id)),
  'results.compare': async (req, ctx) => compareRuns(runFolder(ctx, req.a), runFolder(ctx, req.b)),
  'report.export': async (req, ctx) => exportReport(runFolder(ctx, req.id), req.format),

  'backends.list': async () => backendsInfo(),
  'weights.status': async () => weightsStatus(),
  'weights.download': async (_req, ctx) =>
    weightsDownload((message, fraction) => ctx.emit({ type: 'weights.progress', message, fraction })),
  'weights.import': async (req, ctx) => weightsImport(permitted(ctx, req.path)),

  'dialog.pickFolder': async (req, ctx) => {
    const picked = await requireDialogs(ctx).pickFolder(req.title);
    // Picking a folder in the native dialog is the user granting access to it.
    if (picked && !ctx.settings.get().dataDirs.some((d) => picked === d || picked.startsWith(d + path.sep))) {
      ctx.settings.update({ dataDirs: [...ctx.settings.get().dataDirs, picked] });
    }
    return { path: picked };
  },
  'dialog.saveFile': async (req, ctx) => {
    const data =
      req.encoding === 'base64' ? Buffer.from(req.content, 'base64') : Buffer.from(req.content, 'utf8');
    return { path: await requireDialogs(ctx).saveFile(req.suggestedName, data) };
  },
  'dialog.openFile': async (req, ctx) => {
    const opened = await requireDialogs(ctx).openFile(req.extensions);
    return { path: opened?.path ?? null, content: opened?.content ?? null };
  },
};
