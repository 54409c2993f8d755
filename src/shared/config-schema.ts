/**
 * The experiment config: one schema for the GUI (which saves it and reads its defaults), the CLI
 * (which runs it), the server and the worker messages. It lives in src/shared so the renderer and
 * the contract use the same inferred types without importing the engine. Defaults are the
 * paper's protocol (PAPER_DEFAULTS); everything can be changed.
 */
import { z } from 'zod';
import { configProblems, didYouMean, strict as zs, type ConfigProblem } from './config-problems';
import { PAPER_DEFAULTS } from './paper-defaults';
import { CORPUS_CHOICES, DEFAULT_CLASSES, EMOTIONS } from './vocabulary';

const positiveInt = (what = 'must be a positive integer') =>
  z.number({ error: what }).int({ error: what }).positive({ error: what });
const positiveNumber = (what = 'must be a positive number') =>
  z.number({ error: what }).positive({ error: what }).finite({ error: what });
const fraction = z
  .number({ error: 'must be a number between 0 and 1' })
  .gt(0, { error: 'must be a number between 0 and 1' })
  .lt(1, { error: 'must be a number between 0 and 1' });

const unique = (xs: readonly string[]) => new Set(xs).size === xs.length;

const emotion = z.enum(EMOTIONS, {
  error: (iss) =>
    typeof iss.input === 'string'
      ? `'${iss.input}' is not an emotion (one of ${EMOTIONS.join(', ')})`
      : `must be an emotion (one of ${EMOTIONS.join(', ')})`,
});

export const DataSchema = zs.object({
  /** Corpus folder; the CLI's --data overrides it. Empty means "given at run time". */
  dir: z.string().default(''),
  corpus: z.enum(CORPUS_CHOICES, { error: `must be one of ${CORPUS_CHOICES.join(', ')}` }).default('auto'),
  classes: z
    .union(
      [
        z.literal('all'),
        z
          .array(emotion)
          .min(2, { error: 'needs at least two classes' })
          .refine(unique, { error: 'lists a class twice' }),
      ],
      {
        error: "must be 'all' or a list of at least two emotions",
      },
    )
    .default([...DEFAULT_CLASSES]),
  /** Keep float WAVs holding NaN/Inf samples, with those samples set to zero (and listed). */
  repairNonFinite: z.boolean({ error: 'must be true or false' }).default(false),
});

/** Seconds of one STFT hop (10 ms): a patch hop is a whole number of them. */
const FRAME_SEC = PAPER_DEFAULTS.frontEnd.hop / PAPER_DEFAULTS.frontEnd.sampleRate;
const wholeFrames = (sec: number) => Math.abs(sec / FRAME_SEC - Math.round(sec / FRAME_SEC)) < 1e-6;

export const FrontEndSchema = zs.object({
  /**
   * 'yamnet': YAMNet's log-mel patches (magnitude, ln(x+0.001)), what pretrained weights expect;
   * 'paper-power': the paper's formula (power, each band divided by its filter's energy).
   */
  form: z.enum(['yamnet', 'paper-power'], { error: "must be 'yamnet' or 'paper-power'" }).default('yamnet'),
  /** Patch hop in seconds: the only front-end value that can change without retraining. */
  patchHopSec: positiveNumber()
    .refine(wholeFrames, { error: `must be a whole number of ${FRAME_SEC} s frames (e.g. 0.48)` })
    .default(PAPER_DEFAULTS.frontEnd.patchHopSec),
});

/** Where YAMNet training starts: 'frozen' = cached embeddings; K = blocks K..14 train; 'full' = all. */
const TRAIN_FROM_ERROR = "must be 'full', 'frozen' or a block number 1..14";
export const TrainFromSchema = z.union(
  [
    z.literal('full'),
    z.literal('frozen'),
    z
      .number()
      .int({ error: TRAIN_FROM_ERROR })
      .min(1, { error: TRAIN_FROM_ERROR })
      .max(14, { error: TRAIN_FROM_ERROR }),
  ],
  { error: TRAIN_FROM_ERROR },
);
export type TrainFrom = z.infer<typeof TrainFromSchema>;

export const YamnetLstmModelSchema = zs.object({
  kind: z.literal('yamnet-lstm'),
  lstmUnits: z
    .array(positiveInt())
    .min(1, { error: 'needs at least one LSTM layer' })
    .default([...PAPER_DEFAULTS.model.lstmUnits]),
  yamnet: zs
    .object({
      weights: z
        .enum(['pretrained', 'random'], { error: "must be 'pretrained' or 'random'" })
        .default('pretrained'),
      trainFrom: TrainFromSchema.default('full'),
    })
    .prefault({}),
});

export const BASELINE_FEATURES = ['mfcc', 'gtcc', 'dl', 'mfcc+dl', 'gtcc+dl'] as const;
export const BASELINE_CLASSIFIERS = ['rf', 'svm', 'mlp'] as const;

export type BaselineFeatureName = (typeof BASELINE_FEATURES)[number];
export type BaselineClassifierName = (typeof BASELINE_CLASSIFIERS)[number];

/** One value or a list of distinct values: `'svm'` and `['rf', 'svm']` both mean "these cells". */
function oneOrList<const T extends readonly [string, ...string[]]>(values: T) {
  const item = z.enum(values, { error: `must be one of ${values.join(', ')}` });
  return z.union(
    [
      item,
      z
        .array(item)
        .min(1, { error: 'needs at least one value' })
        .refine((xs) => new Set(xs).size === xs.length, { error: 'lists a value twice' }),
    ],
    { error: `must be one of ${values.join(', ')}, or a list of them` },
  );
}

/**
 * A baseline run is a grid: every feature set × every classifier over the same folds, features
 * extracted once. `classifiers` is accepted as another spelling of `classifier` (lists read
 * better plural); giving both is an error, so a config never says two things.
 */
export const BaselineModelSchema = zs
  .object({
    kind: z.literal('baseline'),
    features: oneOrList(BASELINE_FEATURES).default(PAPER_DEFAULTS.baseline.features),
    /** Default PAPER_DEFAULTS.baseline.classifier (see baselineGrid); left unset here so that giving both spellings is caught. */
    classifier: oneOrList(BASELINE_CLASSIFIERS).optional(),
    classifiers: oneOrList(BASELINE_CLASSIFIERS).optional(),
  })
  .refine((m) => m.classifiers === undefined || m.classifier === undefined, {
    error: "give either 'classifier' or 'classifiers', not both",
    path: ['classifiers'],
  });

const MODEL_KINDS = ['yamnet-lstm', 'baseline'];
export const ModelSchema = z.discriminatedUnion('kind', [YamnetLstmModelSchema, BaselineModelSchema], {
  error: (iss) => {
    const kind = (iss.input as { kind?: unknown } | undefined)?.kind;
    const near = typeof kind === 'string' ? didYouMean(kind, MODEL_KINDS) : null;
    return `kind must be 'yamnet-lstm' or 'baseline'${near ? ` (did you mean '${near}'?)` : ''}`;
  },
});

export const TrainingSchema = zs.object({
  optimizer: z.enum(['adam'], { error: "must be 'adam'" }).default('adam'),
  learningRate: positiveNumber().default(PAPER_DEFAULTS.training.learningRate),
  batchSize: positiveInt().default(PAPER_DEFAULTS.training.batchSize),
  epochs: positiveInt().default(PAPER_DEFAULTS.training.epochs),
  earlyStopping: zs.object({ patience: positiveInt() }).optional(),
  /** Weight each class's loss by total / (classes * count) of the training set. */
  classWeights: z.boolean({ error: 'must be true or false' }).default(false),
});

/**
 * A further corpus of a cross-corpus run, named as `data` names the run's own: its folder and
 * layout; `name` labels it in the matrix (default: the detected layout, e.g. 'emodb').
 */
export const CorpusRefSchema = zs.object({
  dir: z.string({ error: 'must be a corpus folder' }).min(1, { error: 'must name the corpus folder' }),
  corpus: z.enum(CORPUS_CHOICES, { error: `must be one of ${CORPUS_CHOICES.join(', ')}` }).default('auto'),
  name: z
    .string({ error: 'must be a short name' })
    .regex(/^[A-Za-z0-9_.-]+$/, { error: 'must be a short name (letters, digits, _ . -)' })
    .optional(),
});
export type CorpusRef = z.infer<typeof CorpusRefSchema>;

const CROSS_CORPUS_NEEDS =
  'cross-corpus needs a second corpus: give testCorpus (train on data, test on it) or corpora (one fold per held-out corpus, trained on all others)';

/**
 * Speaker-independent folds of the run's corpus (`loso`, `kfold`), or `cross-corpus`: train on
 * the run's corpus (`data`) and test on `testCorpus`, or, with `corpora`, one fold per corpus of
 * [data, ...corpora] tested on it and trained on all the others. Either way the run uses the
 * classes every corpus has (see engine/folds/cross-corpus.ts).
 */
export const CrossValidationSchema = zs
  .object({
    scheme: z
      .enum(['loso', 'kfold', 'cross-corpus'], { error: "must be 'loso', 'kfold' or 'cross-corpus'" })
      .default('loso'),
    k: z
      .number({ error: 'must be an integer of at least 2' })
      .int()
      .min(2, { error: 'must be at least 2' })
      .optional(),
    valFraction: fraction.default(PAPER_DEFAULTS.crossValidation.valFraction),
    testCorpus: CorpusRefSchema.optional(),
    corpora: z.array(CorpusRefSchema).min(1, { error: 'needs at least one corpus besides data' }).optional(),
  })
  .refine((cv) => cv.scheme !== 'kfold' || cv.k !== undefined, {
    error: 'k is required when scheme is kfold',
    path: ['k'],
  })
  .refine((cv) => cv.scheme !== 'cross-corpus' || cv.testCorpus !== undefined || cv.corpora !== undefined, {
    error: CROSS_CORPUS_NEEDS,
    path: ['testCorpus'],
  })
  .refine((cv) => cv.testCorpus === undefined || cv.corpora === undefined, {
    error: "give either 'testCorpus' or 'corpora', not both",
    path: ['corpora'],
  })
  .refine((cv) => cv.scheme === 'cross-corpus' || (cv.testCorpus === undefined && cv.corpora === undefined), {
    error: "only used with scheme 'cross-corpus'",
    path: ['testCorpus'],
  })
  .refine((cv) => cv.scheme !== 'cross-corpus' || cv.k === undefined, {
    error: 'k is not used by cross-corpus (one fold per held-out corpus)',
    path: ['k'],
  });

/**
 * Slurm options of the `slurm` executor: one `sbatch --array` job, one task per pending fold.
 * `timeMinutes` overrides the time limit per task, which otherwise comes from the run's cost
 * estimate × `timeMargin` (plus 10 minutes of start-up).
 */
export const SlurmSchema = zs.object({
  partition: z.string().min(1).optional(),
  account: z.string().min(1).optional(),
  qos: z.string().min(1).optional(),
  timeMinutes: positiveInt().optional(),
  timeMargin: positiveNumber().default(2),
  cpusPerTask: positiveInt().optional(),
  /** Memory per task as sbatch writes it: '8G', '16000M'. */
  mem: z
    .string()
    .regex(/^\d+[KMGT]?$/, { error: "must be a size like '8G' or '16000M'" })
    .optional(),
  /** Generic resources per task, e.g. 'gpu:1'. */
  gres: z.string().min(1).optional(),
  /** Extra lines for the job script's header, each without or with the '#SBATCH ' prefix. */
  extraSbatch: z.array(z.string()).default([]),
  /** Shell lines run on the node before ser-workbench (`module load cuda/11.2`). */
  setup: z.array(z.string()).default([]),
  /** How a node starts ser-workbench (default: this node binary and this installation's CLI). */
  nodeCommand: z.string().min(1).optional(),
});

/**
 * A sweep: a grid over config fields (dotted paths, every combination of the listed values) or
 * `random.samples` seeded draws from ranges ({min, max, log?, integer?}) or lists of choices.
 */
const SweepRangeSchema = z.union([
  z.array(z.unknown()).min(1, { error: 'needs at least one value' }),
  zs
    .object({
      min: z.number({ error: 'must be a number' }),
      max: z.number({ error: 'must be a number' }),
      log: z.boolean().default(false),
      integer: z.boolean().default(false),
    })
    .refine((r) => r.max >= r.min, { error: 'max must be at least min' })
    .refine((r) => !r.log || r.min > 0, { error: 'a log range needs min > 0' }),
]);
export const SweepSchema = zs
  .object({
    grid: z.record(z.string(), z.array(z.unknown()).min(1, { error: 'needs at least one value' })).optional(),
    random: zs
      .object({
        samples: positiveInt(),
        seed: z.number({ error: 'must be an integer' }).int({ error: 'must be an integer' }).default(1),
        ranges: z.record(z.string(), SweepRangeSchema),
      })
      .optional(),
  })
  .refine((s) => (s.grid === undefined) !== (s.random === undefined), {
    error: "give either 'grid' or 'random'",
  });
export type SweepConfig = z.infer<typeof SweepSchema>;

/** Where a run's folds train: this process and its workers, or a Slurm cluster. */
export const ExecutionSchema = zs.object({
  executor: z.enum(['local', 'slurm'], { error: "must be 'local' or 'slurm'" }).default('local'),
  /** Local: worker processes (default from cores, GPUs and measured memory per process). */
  processes: positiveInt().optional(),
  slurm: SlurmSchema.prefault({}),
});

export const ExperimentConfigSchema = zs.object({
  name: z.string().default('experiment'),
  data: DataSchema.prefault({}),
  frontEnd: FrontEndSchema.prefault({}),
  model: ModelSchema.prefault({ kind: 'yamnet-lstm' }),
  training: TrainingSchema.prefault({}),
  crossValidation: CrossValidationSchema.prefault({}),
  seed: z.number({ error: 'must be an integer' }).int({ error: 'must be an integer' }).default(42),
  backend: z
    .enum(['auto', 'tensorflow', 'wasm', 'cpu'], { error: "must be 'auto', 'tensorflow', 'wasm' or 'cpu'" })
    .default('auto'),
  execution: ExecutionSchema.prefault({}),
  /** One run per cell of this sweep (see src/engine/runs/sweep.ts); absent: one run. */
  sweep: SweepSchema.optional(),
});

export type ExecutionConfig = z.infer<typeof ExecutionSchema>;
export type SlurmOptions = z.infer<typeof SlurmSchema>;

export type ExperimentConfig = z.infer<typeof ExperimentConfigSchema>;
/** What a user may write: every field optional where it has a default. */
export type ExperimentConfigInput = z.input<typeof ExperimentConfigSchema>;
export type YamnetLstmModel = z.infer<typeof YamnetLstmModelSchema>;
export type BaselineModel = z.infer<typeof BaselineModelSchema>;

/**
 * Validates and fills defaults, or the problems of every bad entry: unknown keys (with a "did
 * you mean"), wrong types, values out of range, each naming its path.
 */
export function checkConfig(
  input: unknown,
): { ok: true; config: ExperimentConfig } | { ok: false; problems: ConfigProblem[] } {
  const result = ExperimentConfigSchema.safeParse(input);
  if (result.success) return { ok: true, config: result.data };
  return { ok: false, problems: configProblems(result.error, input) };
}

/** Every default filled in: the paper's protocol, as the form starts from it. */
export function configDefaults(): ExperimentConfig {
  return ExperimentConfigSchema.parse({});
}

/** A model block of `kind` with its defaults (YAMNet-LSTM: the paper's; baseline: its one cell). */
export function modelDefaults(kind: ExperimentConfig['model']['kind']): ExperimentConfig['model'] {
  return ModelSchema.parse(
    kind === 'baseline' ? { kind, classifier: PAPER_DEFAULTS.baseline.classifier } : { kind },
  );
}

/** The cells of a baseline run, in table order: feature sets outer, classifiers inner. */
export function baselineGrid(model: BaselineModel): {
  featureSets: BaselineFeatureName[];
  classifiers: BaselineClassifierName[];
} {
  const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? [...v] : [v]);
  return {
    featureSets: list(model.features),
    classifiers: list(model.classifiers ?? model.classifier ?? PAPER_DEFAULTS.baseline.classifier),
  };
}

/**
 * The YAMNet training mode as one word, for tables and file names; a baseline grid is
 * `baseline:<features,...>/<classifiers,...>` ('baseline:mfcc+dl/svm' for one cell, as before).
 */
export function modeOf(config: ExperimentConfig): string {
  if (config.model.kind === 'baseline') {
    const g = baselineGrid(config.model);
    return `baseline:${g.featureSets.join(',')}/${g.classifiers.join(',')}`;
  }
  const from = config.model.yamnet.trainFrom;
  return typeof from === 'number' ? `trainFrom${from}` : from === 'full' ? 'fine-tune' : 'frozen';
}
