/**
 * The one contract between the UI and the Node side. Every request, response and event is
 * declared here once, as a zod schema; the TypeScript types are inferred from the schemas so
 * that the Electron IPC bridge, the HTTP/WebSocket server and the renderer cannot drift apart.
 *
 * The experiment config is the shared schema (config-schema.ts): responses carry it typed with
 * defaults filled; requests carry it as the user wrote it, an object the handler checks with the
 * same schema so that every problem is named per field (config.validate's issues). Run summaries,
 * fold metrics and histories and run comparisons are the result schemas of run-results.ts (what
 * the run folder's files hold); progress events and cost estimates fit the engine's types of
 * progress.ts (checked at compile time below). Still passed through as JSON: a run's config,
 * environment and status files, the corpus summary and the weights' detail.
 */
import { z } from 'zod';
import { ExperimentConfigSchema, type ExperimentConfigInput } from './config-schema';
import { foldHistorySchema, foldMetricsSchema, runComparisonSchema, runSummarySchema } from './run-results';
import type { RunCostEstimate, TrainEvent } from './progress';

const json = z.unknown();
/** A config as written: any JSON object; its fields are checked by the handler (see above). */
const configInput = z.custom<ExperimentConfigInput>(
  (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
  'a config is a JSON object',
);
const path = z.string().min(1).max(4096);
/**
 * A run folder's name in the runs folder, or `<sweep folder>/<cell>` for a sweep's cell (the cell
 * must be one its sweep.json lists; the server checks).
 */
const runId = z
  .string()
  .min(1)
  .max(300)
  .regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._=,+-]+)?$/, 'a run id is a folder name (or sweep/cell)')
  .refine((id) => id.split('/').every((part) => part !== '.' && part !== '..'), 'a run id is a folder name');
/** A sweep folder's name in the runs folder (the sweep id of its cells' rows). */
const sweepId = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9._-]+$/, 'a sweep id is a folder name')
  .refine((id) => id !== '.' && id !== '..', 'a sweep id is a folder name');
/** The caller's name for a heavy request, to cancel it and to match its progress events. */
const taskId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a task id is 1-64 letters, digits, _ or -');

// ---------------------------------------------------------------------------------------------
// Datasets

export const utteranceSchema = z.object({
  path: z.string(),
  id: z.string(),
  speaker: z.string(),
  sex: z.string(),
  label: z.string(),
  durationSec: z.number(),
  sampleRate: z.number(),
  channels: z.number(),
});
export type UtteranceRow = z.infer<typeof utteranceSchema>;

export const speakerRowSchema = z.object({
  speaker: z.string(),
  sex: z.string(),
  total: z.number(),
  counts: z.record(z.string(), z.number()),
});
export type SpeakerRow = z.infer<typeof speakerRowSchema>;

/**
 * The parts of the engine's corpus summary (summarizeIndex) the Table-I view reads: a looser
 * schema than the engine's type, so that extra fields pass through.
 */
export const corpusSummarySchema = z.object({
  files: z.number(),
  speakers: z.number(),
  sex: z.object({ male: z.number(), female: z.number(), unknown: z.number() }),
  /** Seconds; sd is the sample standard deviation. */
  duration: z.object({
    mean: z.number(),
    sd: z.number(),
    min: z.number(),
    max: z.number(),
    total: z.number(),
  }),
  /** Files per sample rate (Hz, as a string key). */
  sampleRates: z.record(z.string(), z.number()),
  perClass: z.record(z.string(), z.number()),
  skipped: z.array(z.object({ path: z.string(), reason: z.string() })),
});
export type CorpusSummaryView = z.infer<typeof corpusSummarySchema>;

export const datasetSchema = z.object({
  dir: z.string(),
  corpus: z.string(),
  classes: z.array(z.string()),
  hash: z.string(),
  numFiles: z.number(),
  numSpeakers: z.number(),
  totalDurationSec: z.number(),
  /** Table I: utterances per class. */
  classCounts: z.record(z.string(), z.number()),
  speakers: z.array(speakerRowSchema),
  files: z.array(utteranceSchema),
  skipped: z.array(z.object({ path: z.string(), reason: z.string() })),
  /** The engine's own summary (summarizeIndex), passed through for display. */
  summary: json,
});
export type Dataset = z.infer<typeof datasetSchema>;

export const audioViewSchema = z.object({
  path: z.string(),
  sampleRate: z.number(),
  channels: z.number(),
  durationSec: z.number(),
  /** Min/max envelope of the waveform, one pair per display column. */
  waveform: z.object({ min: z.array(z.number()), max: z.array(z.number()) }),
  /** Log-mel spectrogram at 16 kHz (YAMNet front end), frames × bands, row-major. */
  logmel: z.object({
    frames: z.number(),
    bands: z.number(),
    hopSec: z.number(),
    data: z.array(z.number()),
  }),
});
export type AudioView = z.infer<typeof audioViewSchema>;

// ---------------------------------------------------------------------------------------------
// Experiment config and folds

export const configIssueSchema = z.object({
  path: z.array(z.union([z.string(), z.number()])),
  message: z.string(),
});
export type ConfigIssue = z.infer<typeof configIssueSchema>;

export const foldSchema = z.object({
  index: z.number(),
  test: z.array(z.string()),
  validation: z.array(z.string()),
  train: z.array(z.string()),
  /** Utterances per role and class: counts[role][class]. */
  counts: z.record(z.string(), z.record(z.string(), z.number())),
});
export type FoldPreview = z.infer<typeof foldSchema>;

export const foldsPreviewSchema = z.object({
  scheme: z.string(),
  classes: z.array(z.string()),
  speakers: z.array(speakerRowSchema),
  folds: z.array(foldSchema),
});
export type FoldsPreview = z.infer<typeof foldsPreviewSchema>;

/** One YAMNet block as a "train from" choice: shapes and parameters, and its cost once measured. */
export const layerCostRowSchema = z.object({
  /** trainFrom K: blocks K..14 train. */
  block: z.number(),
  name: z.string(),
  type: z.string(),
  /** Output of the block for one 96×64 patch [H, W, C]. */
  outputShape: z.array(z.number()),
  params: z.number(),
  /** Parameters that train from K on (blocks K..14; the LSTM head not counted). */
  trainableParams: z.number(),
  /** What the activation cache holds per patch for trainFrom K. */
  cachedStepShape: z.array(z.number()),
  cacheDiskBytes: z.number(),
  /** Null until trainFrom K has been calibrated. */
  perEpochSec: z.number().nullable(),
  perStepSec: z.number().nullable(),
  cacheBuildSec: z.number().nullable(),
});
export type LayerCostRow = z.infer<typeof layerCostRowSchema>;

/** What a run will cost (src/engine/train/estimate.ts RunCostEstimate), plus its one-line text. */
export const runEstimateSchema = z.object({
  backend: z.string(),
  mode: z.string(),
  /** Blocks firstTrainedBlock..14 train; FROZEN_BLOCK (first-block.ts): the LSTM head only. */
  firstTrainedBlock: z.number(),
  batchSize: z.number(),
  perStepSec: z.number(),
  perScoreBatchSec: z.number(),
  calibrationSteps: z.number(),
  calibrationSec: z.number(),
  timedOnThreads: z.number(),
  timedConcurrently: z.number().optional(),
  stepsPerEpoch: z.number(),
  perEpochSec: z.number(),
  epochs: z.number(),
  perFoldSec: z.number(),
  folds: z.number(),
  parallel: z.number(),
  patches: z.number(),
  cacheBuildSec: z.number(),
  cacheDiskBytes: z.number(),
  totalSec: z.number(),
  text: z.string(),
  /** fineTuneSupport's sentence for the run's backend when YAMNet blocks train; else empty. */
  fineTuneNote: z.string(),
  /** True when the calibration behind it was measured by an earlier request (same corpus and shapes). */
  reused: z.boolean(),
});
export type RunEstimate = z.infer<typeof runEstimateSchema>;

/** The estimate as the engine makes it (progress.ts RunCostEstimate), before the view's additions. */
export const runCostEstimateSchema = runEstimateSchema.omit({ text: true, fineTuneNote: true, reused: true });

/**
 * What a sweep will cost (engine/runs/sweep-estimate.ts SweepCost), each cell from its own config:
 * a job is one fold of one cell.
 */
export const sweepCostSchema = z.object({
  cells: z.array(
    z.object({
      id: z.string(),
      values: z.record(z.string(), json),
      estimate: runCostEstimateSchema,
      perJobSec: z.number(),
      jobs: z.number(),
    }),
  ),
  jobs: z.number(),
  /** The cheapest and dearest job (a Slurm array asks one time limit: the dearest). */
  perJobSec: z.object({ min: z.number(), max: z.number() }),
  totalComputeSec: z.number(),
  wallSec: z.number(),
  cacheBuildSec: z.number(),
  parallel: z.number(),
});
export type SweepCostInfo = z.infer<typeof sweepCostSchema>;

/** What a baseline run will cost: feature extraction timed on real files, classifier fits counted. */
export const baselineEstimateSchema = z.object({
  folds: z.number(),
  cells: z.number(),
  fits: z.number(),
  files: z.number(),
  perFileSec: z.number(),
  /** Feature extraction for every file when none is cached yet. */
  featureSec: z.number(),
  timedFiles: z.number(),
  text: z.string(),
});
export type BaselineEstimate = z.infer<typeof baselineEstimateSchema>;

export const layerCostTableSchema = z.object({
  /** The backend the costs are (or will be) measured on. */
  backend: z.string(),
  folds: z.number(),
  patches: z.number(),
  rows: z.array(layerCostRowSchema),
});
export type LayerCostTableInfo = z.infer<typeof layerCostTableSchema>;

// ---------------------------------------------------------------------------------------------
// Runs and results

/**
 * 'interrupted': status.json said running but its process is gone (killed, machine down);
 * 'incomplete': its processes stopped with folds left on purpose (`--folds`, cluster tasks).
 */
export const runStateSchema = z.enum([
  'queued',
  'running',
  'done',
  'failed',
  'cancelled',
  'interrupted',
  'incomplete',
  'unknown',
]);
export type RunState = z.infer<typeof runStateSchema>;

/** One fold of a cluster run as its Slurm task sees it. */
export const foldJobSchema = z.object({
  fold: z.number(),
  state: z.enum(['done', 'queued', 'running', 'failed', 'cancelled', 'not submitted']),
  jobId: z.string().nullable(),
  /** `<job>_<task>`. */
  taskId: z.string().nullable(),
  detail: z.string().nullable(),
  logTail: z.string().nullable(),
});
export type FoldJob = z.infer<typeof foldJobSchema>;

export const runInfoSchema = z.object({
  id: runId,
  dir: z.string(),
  name: z.string(),
  state: runStateSchema,
  createdAt: z.string().nullable(),
  corpus: z.string().nullable(),
  mode: z.string().nullable(),
  fold: z.number().nullable(),
  folds: z.number().nullable(),
  epoch: z.number().nullable(),
  epochs: z.number().nullable(),
  error: z.string().nullable(),
  /** True when this process is running the job (so it can be cancelled). */
  live: z.boolean(),
  /** Seconds left as the run last wrote them to status.json; null before the first estimate. */
  etaSec: z.number().nullable(),
  /** When status.json was last written (ISO), so the ETA can count down from it. */
  updatedAt: z.string().nullable(),
  /** Test UAR pooled over folds, once the run is done. */
  uar: z.number().nullable(),
  /** Folds are left and no process is training them: `run --resume` continues it. */
  resumable: z.boolean().optional(),
  /** Folds being trained now by live processes (any host sharing the folder), 0-based. */
  training: z.array(z.number()).optional(),
  /** The run table's config columns (null: not recorded yet or not this kind of run). */
  columns: z
    .object({
      trainFrom: z.string().nullable(),
      learningRate: z.number().nullable(),
      weights: z.string().nullable(),
      backend: z.string().nullable(),
      executor: z.string().nullable(),
      /** Hosts that trained its folds (a cluster run may use several). */
      hosts: z.array(z.string()),
    })
    .optional(),
  /** Test UAR over folds: mean and sd (once the run is done). */
  meanUar: z.number().nullable().optional(),
  sdUar: z.number().nullable().optional(),
  tags: z.array(z.string()).optional(),
  notes: z.string().optional(),
  /** A sweep's cell: its sweep folder, its cell id and the swept values. */
  sweep: z
    .object({ id: z.string(), name: z.string(), cell: z.string(), values: z.record(z.string(), json) })
    .optional(),
  /** Cluster runs: each fold's job (from squeue / the run folder) with its Slurm task id. */
  foldJobs: z.array(foldJobSchema).optional(),
});
export type RunInfo = z.infer<typeof runInfoSchema>;

export const trashedRunSchema = z.object({
  id: z.string(),
  /** A run's folder, or a whole sweep's (sweep.json and every cell): restored by sweeps.restore. */
  kind: z.enum(['run', 'sweep']),
  name: z.string(),
  /** The folder it was deleted from. */
  from: z.string(),
  deletedAt: z.string(),
});
export type TrashedRun = z.infer<typeof trashedRunSchema>;

export const foldResultSchema = z.object({
  fold: z.number(),
  test: z.array(z.string()),
  /** The fold's metrics.json; null until the fold is tested (or when the file cannot be read). */
  metrics: foldMetricsSchema.nullable(),
  /** The fold's history.json; null for baseline folds (no epochs) and before training ends. */
  history: foldHistorySchema.nullable(),
  done: z.boolean(),
});
export type FoldResult = z.infer<typeof foldResultSchema>;

export const runDetailSchema = z.object({
  info: runInfoSchema,
  config: json,
  environment: json,
  status: json,
  /** summary.json (upgraded from older versions); null until the run has results. */
  summary: runSummarySchema.nullable(),
  folds: z.array(foldResultSchema),
});
export type RunDetail = z.infer<typeof runDetailSchema>;

const confusionCountsSchema = z.object({
  pooled: z.array(z.array(z.number())),
  folds: z.array(z.object({ fold: z.number(), matrix: z.array(z.array(z.number())) })),
});

/**
 * Table II: class accuracies and their average, per fold and pooled, mean ± sd. A baseline grid
 * run (several feature sets × classifiers) has `cells`, and its rows are pooled / mean / sd per
 * cell (each row names its cell); `confusion` is then the first cell's.
 */
export const resultsTableSchema = z.object({
  classes: z.array(z.string()),
  rows: z.array(
    z.object({
      label: z.string(),
      kind: z.enum(['fold', 'pooled', 'mean', 'sd']),
      perClass: z.array(z.number().nullable()),
      average: z.number().nullable(),
      accuracy: z.number().nullable(),
      /** Grid runs: the cell id ('mfcc+dl__svm') the row belongs to. */
      cell: z.string().optional(),
    }),
  ),
  /** Confusion counts, rows actual, columns predicted: pooled and per fold. */
  confusion: confusionCountsSchema,
  /** Grid runs: every cell in table order, with its own confusion counts. */
  cells: z
    .array(z.object({ id: z.string(), label: z.string(), confusion: confusionCountsSchema }))
    .optional(),
});
export type ResultsTable = z.infer<typeof resultsTableSchema>;

/** A table laid out by the engine's report module, cells already formatted. */
export const textTableSchema = z.object({
  title: z.string(),
  columns: z.array(z.string()),
  rows: z.array(
    z.object({
      label: z.string(),
      kind: z.string(),
      cells: z.array(z.string()),
      /** The numbers behind `cells` (null for text and count cells), so a view can pick its unit. */
      numbers: z
        .array(
          z
            .object({
              value: z.number().nullable(),
              sd: z.number().nullable(),
              signed: z.boolean(),
              /** A confidence interval cell: its bounds (value and sd are null). */
              interval: z.tuple([z.number().nullable(), z.number().nullable()]).optional(),
            })
            .nullable(),
        )
        .optional(),
    }),
  ),
  notes: z.array(z.string()),
});
export type TextTable = z.infer<typeof textTableSchema>;

/** This run next to the paper's Table II, and where the protocols differ. */
export const paperComparisonSchema = z.object({
  source: z.string(),
  table: textTableSchema.nullable(),
  differences: z.array(
    z.object({ aspect: z.string(), paper: z.string(), run: z.string(), same: z.boolean() }),
  ),
  notes: z.array(z.string()),
});
export type PaperComparison = z.infer<typeof paperComparisonSchema>;

export const tsnePointSchema = z.object({
  x: z.number(),
  y: z.number(),
  file: z.string(),
  path: z.string(),
  speaker: z.string(),
  label: z.string(),
  predicted: z.string(),
  fold: z.number(),
  /**
   * Which of the model's utterances the point is: its test utterances (absent in embeddings
   * cached before roles existed), or, shown on request as faded context, its training ('train')
   * and validation ('val') utterances, embedded with the test ones by the same model.
   */
  role: z.enum(['test', 'train', 'val']).optional(),
});
export type TsnePoint = z.infer<typeof tsnePointSchema>;

/** One fold model's embedding of its own test utterances, with its quality stated. */
export const tsnePanelSchema = z.object({
  fold: z.number(),
  method: z.string(),
  points: z.array(tsnePointSchema),
  perplexity: z.number(),
  seed: z.number(),
  /** Trustworthiness T(k) of the embedding (1 = no false neighbours); null with too few points. */
  trustworthiness: z
    .object({
      k: z.number(),
      value: z.number(),
      /** 'test': computed over the test points only (too many points for n × n distances). */
      over: z.literal('test').optional(),
    })
    .nullable(),
});
export type TsnePanel = z.infer<typeof tsnePanelSchema>;

/**
 * A fold's t-SNE (`fold` set, one panel), or for 'all' one panel per fold (small multiples):
 * activations of different fold models never share an embedding, since their distances are not
 * comparable (pooled, the islands are the fold models, not emotions). `points` joins the panels.
 */
export const tsneSchema = z.object({
  method: z.string(),
  points: z.array(tsnePointSchema),
  panels: z.array(tsnePanelSchema),
  /**
   * Set when the embedding is of the model trained on all speakers for the figure only (one panel,
   * fold -1): `label` says it is not a test result, and views show it with the figure.
   */
  visualisationModel: z
    .object({ label: z.string(), epochs: z.number(), speakers: z.number(), utterances: z.number() })
    .optional(),
});
export type TsneResult = z.infer<typeof tsneSchema>;

/** One test utterance's prediction (folds/fold-NN/predictions.json), with its fold. */
export const utterancePredictionSchema = z.object({
  id: z.string(),
  path: z.string(),
  speaker: z.string(),
  true: z.string(),
  predicted: z.string(),
  probabilities: z.record(z.string(), z.number()),
  fold: z.number(),
});
export type UtterancePrediction = z.infer<typeof utterancePredictionSchema>;

export const exportFormatSchema = z.enum(['md', 'csv', 'latex', 'json', 'html']);
export type ExportFormat = z.infer<typeof exportFormatSchema>;

// ---------------------------------------------------------------------------------------------
// Settings, backends, weights

export const settingsSchema = z.object({
  /** Folders the UI may open (corpora, audio playback, imports). */
  dataDirs: z.array(z.string()),
  /** Corpus folders the user added, in order. */
  datasets: z.array(z.string()),
  runsDir: z.string(),
});
export type Settings = z.infer<typeof settingsSchema>;

export const backendsSchema = z.object({
  active: z.object({ name: z.string(), reason: z.string() }).nullable(),
  backends: z.array(
    z.object({
      name: z.string(),
      available: z.boolean(),
      reason: z.string(),
      /** The engine's fineTuneSupport: the same answer `backends`, the estimate and runs give. */
      fineTune: z.boolean(),
      fineTuneNote: z.string(),
      /** Measured s/step per mode on this host ('' before any calibration measured one). */
      measuredCost: z.string(),
    }),
  ),
});
export type BackendsInfo = z.infer<typeof backendsSchema>;

export const weightsStatusSchema = z.object({
  installed: z.boolean(),
  source: z.string().nullable(),
  location: z.string().nullable(),
  /** Every file of the weights in use with its sha256 (what results name). */
  files: z.array(z.object({ name: z.string(), sha256: z.string() })),
  detail: json,
});
export type WeightsStatus = z.infer<typeof weightsStatusSchema>;

/** The corpus the first screen offers in one click (src/app/domains/starter.ts). */
export const starterCorpusSchema = z.object({
  kind: z.enum(['demo', 'synthetic']),
  dir: z.string(),
  label: z.string(),
});
export type StarterCorpus = z.infer<typeof starterCorpusSchema>;

export const appInfoSchema = z.object({
  name: z.string(),
  version: z.string(),
  shell: z.enum(['electron', 'browser']),
  platform: z.string(),
  node: z.string(),
  dataHome: z.string(),
  licences: z.array(z.object({ name: z.string(), licence: z.string(), note: z.string() })),
  starter: starterCorpusSchema,
});
export type AppInfo = z.infer<typeof appInfoSchema>;

const none = z.object({}).strict();
const ok = z.object({ ok: z.literal(true) });

// ---------------------------------------------------------------------------------------------
// The method table: method → { request, response }.

export const methods = {
  'app.info': { request: none, response: appInfoSchema },

  'settings.get': { request: none, response: settingsSchema },
  'settings.update': {
    request: z.object({ dataDirs: z.array(path).optional() }).strict(),
    response: settingsSchema,
  },

  'datasets.index': {
    request: z
      .object({
        dir: path,
        corpus: z.string().max(40).optional(),
        classes: z.array(z.string()).optional(),
        taskId: taskId.optional(),
      })
      .strict(),
    response: datasetSchema,
  },
  /** Sub-folders of a permitted folder (the browser's folder picker); no dir: the data folders. */
  'folders.list': {
    request: z.object({ dir: path.optional() }).strict(),
    response: z.object({
      dir: z.string().nullable(),
      parent: z.string().nullable(),
      folders: z.array(z.object({ name: z.string(), path: z.string() })),
      audioFiles: z.number(),
    }),
  },
  /** Adds the starter corpus (writing the synthetic one first if needed) and indexes it. */
  'datasets.addStarter': { request: none, response: datasetSchema },
  'datasets.remove': { request: z.object({ dir: path }).strict(), response: settingsSchema },
  'audio.view': {
    request: z
      .object({ path, columns: z.number().int().min(16).max(4000).optional(), taskId: taskId.optional() })
      .strict(),
    response: audioViewSchema,
  },

  'config.schema': {
    request: none,
    response: z.object({ jsonSchema: json, defaults: ExperimentConfigSchema }),
  },
  'config.validate': {
    request: z.object({ config: configInput }).strict(),
    response: z.object({
      ok: z.boolean(),
      issues: z.array(configIssueSchema),
      config: ExperimentConfigSchema.nullable(),
    }),
  },
  /**
   * The config's folds. `channel` names the asking form: a newer preview on the same channel drops
   * an older one still waiting (it fails as 'superseded by a newer request').
   */
  'folds.preview': {
    request: z.object({ config: configInput, channel: taskId.optional() }).strict(),
    response: foldsPreviewSchema,
  },
  /** YAMNet blocks 1..14 as "train from" choices for this config's corpus and folds (no timing run). */
  'experiment.layers': {
    request: z.object({ config: configInput, taskId: taskId.optional() }).strict(),
    response: layerCostTableSchema,
  },
  /**
   * Calibrates the config's mode on the active backend (a few real training steps: seconds) and
   * returns the run estimate and the layer table with that block's cost filled in.
   */
  'experiment.estimate': {
    request: z.object({ config: configInput, taskId: taskId.optional() }).strict(),
    response: z.object({
      estimate: runEstimateSchema,
      table: layerCostTableSchema,
      /** A config with a sweep: every cell estimated from its own config. */
      sweep: sweepCostSchema.optional(),
    }),
  },

  'experiment.baselineEstimate': {
    request: z.object({ config: configInput, taskId: taskId.optional() }).strict(),
    response: baselineEstimateSchema,
  },

  'runs.list': { request: none, response: z.array(runInfoSchema) },
  'runs.get': { request: z.object({ id: runId }).strict(), response: runDetailSchema },
  'runs.start': { request: z.object({ config: configInput }).strict(), response: runInfoSchema },
  'runs.cancel': { request: z.object({ id: runId }).strict(), response: ok },
  'runs.resume': { request: z.object({ id: runId }).strict(), response: runInfoSchema },
  /** A label for the run (its folder keeps its id). */
  'runs.rename': {
    request: z.object({ id: runId, name: z.string().min(1).max(200) }).strict(),
    response: runInfoSchema,
  },
  /** Moves the run's folder to the trash in the data folder (restorable). */
  'runs.delete': { request: z.object({ id: runId }).strict(), response: trashedRunSchema },
  'runs.trash': { request: none, response: z.array(trashedRunSchema) },
  'runs.restore': { request: z.object({ id: runId }).strict(), response: runInfoSchema },
  /** Moves a whole sweep folder (every cell) to the trash; refused while a cell runs or is queued. */
  'sweeps.delete': { request: z.object({ id: sweepId }).strict(), response: trashedRunSchema },
  /** Moves a trashed sweep back into the runs folder; answers its cells' rows. */
  'sweeps.restore': { request: z.object({ id: sweepId }).strict(), response: z.array(runInfoSchema) },
  /** Tags and notes of a run, kept in its folder (notes.json, written atomically). */
  'runs.annotate': {
    request: z
      .object({
        id: runId,
        tags: z.array(z.string().trim().min(1).max(40)).max(20).optional(),
        notes: z.string().max(10_000).optional(),
      })
      .strict(),
    response: runInfoSchema,
  },
  /**
   * Starts a config through its executor: a sweep (one run per cell) and/or the slurm executor
   * (one `sbatch --array` job of every pending fold). Returns at once with the runs made; the
   * preparation and submission go on in the background and report through run events.
   */
  'runs.submit': {
    request: z.object({ config: json }).strict(),
    response: z.object({ sweep: z.string().nullable(), runs: z.array(runInfoSchema) }),
  },

  'results.table': { request: z.object({ id: runId }).strict(), response: resultsTableSchema },
  'results.paper': { request: z.object({ id: runId }).strict(), response: paperComparisonSchema },
  'results.tsne': {
    request: z
      .object({
        id: runId,
        fold: z.union([z.number().int().min(0), z.literal('all')]),
        perplexity: z.number().min(2).max(100).optional(),
        taskId: taskId.optional(),
        seed: z.number().int().min(0).optional(),
        /** 't-SNE' (default) or UMAP; UMAP takes the perplexity as its n_neighbors. */
        method: z.enum(['tsne', 'umap']).optional(),
        /** Add each fold model's training and validation utterances as faded points (role train/val). */
        trainVal: z.boolean().optional(),
      })
      .strict(),
    response: tsneSchema,
  },
  /**
   * The t-SNE (or UMAP) of a model trained on ALL the run's speakers, only for the figure (a task
   * with progress and cancel; trained once per number of epochs, then cached in the run folder's
   * visualisation/). Never part of the run's metrics or summary.
   */
  'results.visualisation': {
    request: z
      .object({
        id: runId,
        perplexity: z.number().min(2).max(100).optional(),
        seed: z.number().int().min(0).optional(),
        method: z.enum(['tsne', 'umap']).optional(),
        /** Epochs to train it (default: the run's training.epochs). */
        epochs: z.number().int().min(1).max(1000).optional(),
        taskId: taskId.optional(),
      })
      .strict(),
    response: tsneSchema,
  },
  /** Every test utterance's prediction of a run (a grid run: its first cell's). */
  'results.predictions': {
    request: z.object({ id: runId }).strict(),
    response: z.array(utterancePredictionSchema),
  },
  /**
   * Paired comparison of run a with run b over the same test speakers (engine's PairedComparison
   * plus the config differences); refused with the reason when their folds differ.
   */
  'results.compare': {
    request: z.object({ a: runId, b: runId }).strict(),
    response: runComparisonSchema,
  },
  'report.export': {
    request: z.object({ id: runId, format: exportFormatSchema }).strict(),
    response: z.object({ filename: z.string(), mime: z.string(), text: z.string() }),
  },

  /**
   * Stops a heavy request (index, audio view, layer table, estimate, t-SNE) started with this
   * `taskId`; the request then fails as cancelled. False when it had finished already.
   */
  'tasks.cancel': { request: z.object({ taskId }).strict(), response: z.object({ cancelled: z.boolean() }) },

  'backends.list': { request: none, response: backendsSchema },
  'weights.status': { request: none, response: weightsStatusSchema },
  'weights.download': { request: none, response: weightsStatusSchema },
  'weights.import': { request: z.object({ path }).strict(), response: weightsStatusSchema },

  /** Native dialogs: only the Electron shell has them; the browser shell works locally instead. */
  'dialog.pickFolder': {
    request: z.object({ title: z.string().max(200).optional() }).strict(),
    response: z.object({ path: z.string().nullable() }),
  },
  'dialog.saveFile': {
    request: z
      .object({
        suggestedName: z.string().min(1).max(255),
        content: z.string(),
        encoding: z.enum(['utf8', 'base64']),
      })
      .strict(),
    response: z.object({ path: z.string().nullable() }),
  },
  'dialog.openFile': {
    request: z.object({ extensions: z.array(z.string().max(10)).max(10) }).strict(),
    response: z.object({ path: z.string().nullable(), content: z.string().nullable() }),
  },
} as const;

export type Methods = typeof methods;
export type Method = keyof Methods;
export const METHOD_NAMES = Object.keys(methods) as Method[];
export type Req<M extends Method> = z.input<Methods[M]['request']>;
export type Res<M extends Method> = z.output<Methods[M]['response']>;

export function isMethod(name: string): name is Method {
  return Object.prototype.hasOwnProperty.call(methods, name);
}

// ---------------------------------------------------------------------------------------------
// Events: pushed from the Node side to every open window / socket.

/** A metric crossing JSON: NaN becomes null (see formatEvent in src/engine/train/events.ts). */
const metric = z.number().nullable().optional();

/** An epoch's metrics as a progress event carries them (the engine's EpochMetrics). */
export const epochMetricsSchema = z.object({
  trainLoss: metric,
  trainAccuracy: metric,
  valLoss: metric,
  valAverageAccuracy: metric,
  valAccuracy: metric,
  bestEpoch: metric,
  testAverageAccuracy: metric,
});

/** A training progress event as the engine emits it (src/engine/train/events.ts TrainEvent). */
export const runProgressSchema = z.object({
  type: z.enum(['fold', 'epoch', 'batch', 'log', 'done', 'error']),
  fold: z.number().optional(),
  folds: z.number().optional(),
  epoch: z.number().optional(),
  epochs: z.number().optional(),
  batch: z.number().optional(),
  batches: z.number().optional(),
  loss: metric,
  metrics: epochMetricsSchema.optional(),
  etaSec: metric,
  message: z.string().optional(),
  runDir: z.string().optional(),
  level: z.enum(['debug', 'info', 'warn']).optional(),
  /** The run's cost estimate, on the log event before training. */
  estimate: runCostEstimateSchema.optional(),
});
export type RunProgress = z.infer<typeof runProgressSchema>;

/** True when A and B are the same type (not merely assignable one way). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Holds<T extends true> = T;
/**
 * Compile-time checks that the engine's progress types (declared in progress.ts) and these wire
 * schemas cannot drift: an event the engine emits is a valid RunProgress, and the estimate's
 * fields are exactly the schema's.
 */
export type ProgressTypesAgree = [
  Holds<TrainEvent extends z.input<typeof runProgressSchema> ? true : false>,
  Holds<Same<RunCostEstimate, z.output<typeof runCostEstimateSchema>>>,
];

export const eventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('run.progress'), runId, event: runProgressSchema }),
  z.object({ type: z.literal('run.state'), runId, state: runStateSchema, error: z.string().nullable() }),
  z.object({
    type: z.literal('run.log'),
    runId,
    line: z.string(),
    /** 'debug' lines are for developers: the Runs view hides them unless asked. */
    level: z.enum(['debug', 'info', 'warn']).default('info'),
  }),
  z.object({ type: z.literal('weights.progress'), message: z.string(), fraction: z.number().nullable() }),
  /** Progress of a heavy request running in a task worker (see `tasks.cancel`). */
  z.object({
    type: z.literal('task.progress'),
    taskId,
    task: z.string(),
    done: z.number(),
    total: z.number(),
    message: z.string().nullable(),
  }),
  /** The desktop menu asking the page to show a view (and maybe start an action there). */
  z.object({
    type: z.literal('ui.navigate'),
    view: z.enum(['datasets', 'experiment', 'runs', 'results', 'settings']),
    action: z.enum(['add-dataset', 'load-config']).nullable(),
  }),
]);
export type WorkbenchEvent = z.infer<typeof eventSchema>;

/** A call failure as both transports report it. `user` errors are the user's to fix. */
export const callErrorSchema = z.object({
  error: z.object({
    kind: z.enum(['user', 'invalid', 'forbidden', 'internal']),
    message: z.string(),
    issues: z.array(configIssueSchema).optional(),
  }),
});
export type CallError = z.infer<typeof callErrorSchema>['error'];
