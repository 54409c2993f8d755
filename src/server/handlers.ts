/**
 * The handler table: one function per contract method, shared by Electron IPC (src/main) and the
 * HTTP server. Requests arrive already validated by `dispatch`; handlers check file paths
 * against the permitted folders before touching the file system.
 */
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { UserError } from '../engine/util/errors';
import { dataHome } from '../engine/util/paths';
import type { AppInfo } from '../shared/contract';
import type { HandlerTable } from './dispatch';
import { permitted, type WorkbenchContext } from './context';
import { indexDataset, listFolder } from './domains/datasets';
import { audioView } from './domains/audio';
import { configSchema, estimateCost, layerCosts, previewFolds, validateConfig } from './domains/experiment';
import { listRunDirs, readRunDetail, readRunInfo, readSummary, resultsTable, runDir } from './domains/runs';
import { runTsne } from './domains/tsne';
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
    const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    return pkg.version;
  } catch {
    return '0.0.0';
  }
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
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
      throw new UserError(`${req.dir}: not a folder`);
    const dataset = await indexDataset({ ...req, dir });
    ctx.settings.addDataset(req.dir);
    return dataset;
  },
  'folders.list': async (req, ctx) => {
    const roots = ctx.settings.get().dataDirs;
    if (!req.dir)
      return { dir: null, parent: null, folders: roots.map((r) => ({ name: r, path: r })), audioFiles: 0 };
    return listFolder(permitted(ctx, req.dir), roots);
  },
  'datasets.remove': async (req, ctx) => ctx.settings.removeDataset(req.dir),
  'audio.view': async (req, ctx) => audioView(permitted(ctx, req.path), req.columns),

  'config.schema': async () => configSchema(),
  'config.validate': async (req) => validateConfig(req.config),
  'folds.preview': async (req, ctx) => previewFolds(req.config, (dir) => permitted(ctx, dir)),
  'experiment.layers': async (req, ctx) => layerCosts(req.config, (dir) => permitted(ctx, dir)),
  'experiment.estimate': async (req, ctx) => estimateCost(req.config, (dir) => permitted(ctx, dir)),

  'runs.list': async (_req, ctx) => {
    const runsDir = ctx.settings.get().runsDir;
    // A run this session just started lists before its job has written config.json.
    const dirs = new Set([
      ...listRunDirs(runsDir),
      ...ctx.jobs.liveIds().map((id) => path.join(runsDir, id)),
    ]);
    return [...dirs]
      .map((d) => readRunInfo(d, ctx.jobs.isLive(path.basename(d))))
      .sort((a, b) => b.id.localeCompare(a.id));
  },
  'runs.get': async (req, ctx) =>
    readRunDetail(runDir(ctx.settings.get().runsDir, req.id), ctx.jobs.isLive(req.id)),
  'runs.start': async (req, ctx) => {
    const checked = validateConfig(req.config);
    if (!checked.ok) {
      throw new UserError(
        `the config is not valid: ${checked.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    }
    const config = checked.config as { name: string; data: { dir: string } };
    if (!config.data.dir) throw new UserError('data.dir: choose a corpus folder first');
    permitted(ctx, config.data.dir);
    const runsDir = ctx.settings.get().runsDir;
    const { newRunDir } = await import('../engine/runs/store');
    return ctx.jobs.start({ config, runDir: newRunDir(runsDir, config.name), resume: false });
  },
  'runs.cancel': async (req, ctx) => {
    if (!ctx.jobs.cancel(req.id)) throw new UserError(`run ${req.id} is not running in this session`);
    return { ok: true as const };
  },
  'runs.resume': async (req, ctx) => {
    const dir = runDir(ctx.settings.get().runsDir, req.id);
    if (ctx.jobs.isLive(req.id)) throw new UserError(`run ${req.id} is already running`);
    const info = readRunInfo(dir, false);
    if (info.state === 'done') throw new UserError(`run ${req.id} is complete; nothing to resume`);
    if (info.state === 'running') throw new UserError(`run ${req.id} is running in another process`);
    return ctx.jobs.start({ config: null, runDir: dir, resume: true });
  },

  'results.table': async (req, ctx) => resultsTable(readSummary(runDir(ctx.settings.get().runsDir, req.id))),
  'results.paper': async (req, ctx) =>
    paperComparison(readSummary(runDir(ctx.settings.get().runsDir, req.id))),
  'results.tsne': async (req, ctx) =>
    runTsne(runDir(ctx.settings.get().runsDir, req.id), req.fold, req.perplexity ?? 30, req.seed ?? 0),
  'results.predictions': async (req, ctx) => runPredictions(runDir(ctx.settings.get().runsDir, req.id)),
  'results.compare': async (req, ctx) =>
    compareRuns(runDir(ctx.settings.get().runsDir, req.a), runDir(ctx.settings.get().runsDir, req.b)),
  'report.export': async (req, ctx) => exportReport(runDir(ctx.settings.get().runsDir, req.id), req.format),

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
