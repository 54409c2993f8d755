/**
 * A model's training step compiled to one TensorFlow graph (step-graph.ts) and run in one session
 * call: the frozen head, or the trainable YAMNet blocks K..14 with the head.
 *
 * It computes what the eager step computes (YamnetLstm.forward + tf.losses.softmaxCrossEntropy +
 * tf.train.adam), and reads and writes the same variables, Adam moments and bias-correction
 * products, so checkpoints, resume and the eager path mix freely. Tested against the eager step
 * (compiled-step.test.ts).
 *
 * Why: eager tfjs dispatches every op through N-API and TFE one at a time and builds gradients
 * from tfjs' generic kernels (a gather's gradient as a scatter, a mean's as a broadcast and a
 * division, a bias's as a reduction); a graph runs TensorFlow's own gradient ops, frees each
 * activation as soon as its last reader has run, and schedules independent ops on the inter-op
 * pool. Measured in bench/profile/steptime.ts.
 */
import fs from 'node:fs';
import { tf } from '../../backend/tf';
import { YAMNET_LAYERS, type YamnetLayer } from '../../yamnet/layers';
import type { HeadSpec } from '../lstm-head';
import type { ResidentSteps } from '../resident-steps';
import type { Sample } from '../sample';
import { YamnetLstm, type SerModel } from '../ser-model';
import { blockVariableShapes } from './blocks-graph';
import { writeStepGraph, type StepGraphSpec } from './step-graph';

interface SessionBackend {
  loadSavedModelMetaGraph(path: string, tags: string): number;
  runSavedModel(id: number, inputs: tf.Tensor[], infos: { name: string }[], outputs: string[]): tf.Tensor[];
  deleteSavedModel(id: number): void;
}

interface AdamState {
  beta1: number;
  beta2: number;
  epsilon: number;
  learningRate: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: { originalName: string; variable: tf.Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: tf.Variable }[];
  incrementIterations(): void;
}

/** Whether compiled steps can run: native backend, not switched off (SER_GRAPH_STEP=0). */
function compiledStepsAvailable(): boolean {
  return tf.getBackend() === 'tensorflow' && process.env.SER_GRAPH_STEP !== '0';
}

/** The YAMNet blocks a backbone trains, in order (from its layer names, `layer<k>/...`). */
function blocksOf(backbone: tf.LayersModel): YamnetLayer[] {
  const blocks = backbone.layers
    .map((l) => /^layer(\d+)\//.exec(l.name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]));
  return [...new Set(blocks)].map((k) => YAMNET_LAYERS[k - 1]);
}

/** Expected variable shapes, in the model's order, to catch a layout the graph does not compute. */
function expectedShapes(blocks: readonly YamnetLayer[], head: HeadSpec): number[][] {
  const shapes = blocks.flatMap(blockVariableShapes);
  let inDim = head.inputDim;
  for (const units of head.lstmUnits) {
    shapes.push([inDim, 4 * units], [units, 4 * units], [4 * units]);
    inDim = units;
  }
  shapes.push([inDim, head.numClasses], [head.numClasses]);
  return shapes;
}

export class CompiledStep {
  private readonly backend: SessionBackend;
  /**
   * Whether each batch length T has a graph of its own, loaded on its first step: the head alone
   * (StepGraphSpec.steps); under YAMNet blocks one graph serves every T.
   */
  readonly graphPerLength: boolean;
  /** Loaded graphs, by T (graphPerLength) or under 0. */
  private readonly sessions = new Map<number, number>();
  private inputNames: { name: string }[] = [];
  private outputNames: string[] = [];
  private readonly variables: tf.Variable[];
  private readonly spec: StepGraphSpec;

  private constructor(
    model: YamnetLstm,
    private readonly blocks: readonly YamnetLayer[],
    private readonly optimizer: tf.AdamOptimizer,
    private readonly resident: ResidentSteps,
  ) {
    this.variables = model.variables;
    this.graphPerLength = blocks.length === 0;
    const shapes = expectedShapes(blocks, model.head.spec);
    const found = this.variables.map((v) => v.shape.join('x')).join(', ');
    if (shapes.map((s) => s.join('x')).join(', ') !== found)
      throw new Error(
        `compiled step: the model's variables (${found}) are not the layout the graph computes`,
      );
    const adam = optimizer as unknown as AdamState;
    this.spec = {
      head: model.head.spec,
      blocks,
      adam: { learningRate: adam.learningRate, beta1: adam.beta1, beta2: adam.beta2, epsilon: adam.epsilon },
    };
    this.backend = tf.backend() as unknown as SessionBackend;
    this.ensureMoments();
  }

  /** The loaded graph for batches of `tMax` steps, written and loaded on first use. */
  private session(tMax: number): number {
    const key = this.graphPerLength ? tMax : 0;
    const loaded = this.sessions.get(key);
    if (loaded !== undefined) return loaded;
    const graph = writeStepGraph({ ...this.spec, steps: this.graphPerLength ? tMax : undefined });
    let session: number;
    try {
      session = this.backend.loadSavedModelMetaGraph(graph.dir, 'serve');
    } finally {
      fs.rmSync(graph.dir, { recursive: true, force: true });
    }
    this.inputNames = graph.inputs.map((name) => ({ name: `${name}:0` }));
    this.outputNames = graph.outputs.map((name) => `${name}:0`);
    this.sessions.set(key, session);
    return session;
  }

  /**
   * The compiled step for a model trained with Adam on steps resident on the native backend: the
   * frozen head, or YAMNet blocks K..14 with the head. Null where the eager step runs: other
   * backends, steps not resident, another optimiser, or SER_GRAPH_STEP=0.
   */
  static forModel(
    model: SerModel,
    optimizer: tf.Optimizer,
    resident: ResidentSteps | null | undefined,
  ): CompiledStep | null {
    // By class name: tfjs' optimisers answer `instanceof` for any optimiser (Symbol.hasInstance).
    if (!compiledStepsAvailable() || !resident || optimizer.getClassName() !== 'Adam') return null;
    if (!(model instanceof YamnetLstm)) return null;
    const blocks = model.backbone ? blocksOf(model.backbone) : [];
    return new CompiledStep(model, blocks, optimizer as tf.AdamOptimizer, resident);
  }

  /** Whether `batch` can take the compiled step: its steps are on the backend. */
  holds(batch: Sample[]): boolean {
    return this.resident.holds(batch);
  }

  /**
   * One Adam step on `batch`, each utterance weighted by its class's weight (tf.losses'
   * SUM_BY_NONZERO_WEIGHTS: the weighted sum over the number of non-zero weights). Returns the
   * loss, the predicted classes and how many are right as tensors, as the eager step does.
   */
  step(
    batch: Sample[],
    classWeights: number[],
    numClasses: number,
  ): { loss: tf.Scalar; predicted: tf.Tensor1D; correct: tf.Scalar } {
    const b = batch.length;
    const tMax = Math.max(1, ...batch.map((s) => s.steps));
    const pick = new Float32Array(tMax * b);
    const onehot = new Float32Array(b * numClasses);
    const raw = batch.map((s) => classWeights[s.label]);
    const nonZero = raw.filter((w) => w !== 0).length;
    const weight = Float32Array.from(raw, (w) => (nonZero ? w / nonZero : 0));
    batch.forEach((s, i) => {
      if (s.steps > 0) pick[(s.steps - 1) * b + i] = 1;
      onehot[i * numClasses + s.label] = 1;
    });
    const adam = this.optimizer as unknown as AdamState;
    const fed = [
      ...(this.blocks.length ? this.blockRows(batch, tMax) : [this.headRows(batch, tMax)]),
      tf.tensor3d(pick, [tMax, b, 1]),
      tf.tensor2d(onehot, [b, numClasses]),
      tf.tensor1d(weight),
      tf.tensor1d(
        batch.map((s) => s.label),
        'int32',
      ),
      tf.scalar(tMax, 'int32'),
    ];
    const inputs = [
      this.resident.table,
      ...fed,
      ...this.variables,
      ...adam.accumulatedFirstMoment.map((m) => m.variable),
      ...adam.accumulatedSecondMoment.map((m) => m.variable),
      adam.accBeta1,
      adam.accBeta2,
    ];
    const session = this.session(tMax);
    const out = this.backend.runSavedModel(session, inputs, this.inputNames, this.outputNames);
    tf.dispose(fed);
    const n = this.variables.length;
    const assign = (target: tf.Variable, value: tf.Tensor): void => {
      target.assign(value);
      value.dispose();
    };
    const [loss, predicted, correct] = out;
    const at = 3;
    for (let i = 0; i < n; i++) {
      assign(this.variables[i], out[at + i]);
      assign(adam.accumulatedFirstMoment[i].variable, out[at + n + i]);
      assign(adam.accumulatedSecondMoment[i].variable, out[at + 2 * n + i]);
    }
    assign(adam.accBeta1, out[at + 3 * n]);
    assign(adam.accBeta2, out[at + 3 * n + 1]);
    adam.incrementIterations();
    return { loss: loss as tf.Scalar, predicted: predicted as tf.Tensor1D, correct: correct as tf.Scalar };
  }

  /** Head only: [T, B] time-major rows of the table (padding: its zero row). */
  private headRows(batch: Sample[], tMax: number): tf.Tensor {
    const b = batch.length;
    const byUtterance = this.resident.paddedRows(batch, tMax);
    const rows = new Int32Array(tMax * b);
    batch.forEach((_, i) => {
      for (let t = 0; t < tMax; t++) rows[t * b + i] = byUtterance[i * tMax + t];
    });
    return tf.tensor2d(rows, [tMax, b], 'int32');
  }

  /** With blocks: the real rows, each slot's embedding (padding: R) and each embedding's slot. */
  private blockRows(batch: Sample[], tMax: number): tf.Tensor[] {
    const b = batch.length;
    const real = this.resident.realRows(batch);
    const slots = new Int32Array(tMax * b).fill(real.length);
    const inverse = new Int32Array(real.length);
    let offset = 0;
    batch.forEach((s, i) => {
      for (let t = 0; t < s.steps; t++) {
        slots[t * b + i] = offset + t;
        inverse[offset + t] = t * b + i;
      }
      offset += s.steps;
    });
    return [
      tf.tensor1d(real, 'int32'),
      tf.tensor2d(slots, [tMax, b], 'int32'),
      tf.tensor1d(inverse, 'int32'),
    ];
  }

  /** tfjs' Adam makes its moments on the first update; the compiled step feeds them from the first. */
  private ensureMoments(): void {
    const adam = this.optimizer as unknown as AdamState;
    this.variables.forEach((v, i) => {
      adam.accumulatedFirstMoment[i] ??= {
        originalName: `${v.name}/m`,
        variable: tf.tidy(() => tf.zerosLike(v).variable(false)),
      };
      adam.accumulatedSecondMoment[i] ??= {
        originalName: `${v.name}/v`,
        variable: tf.tidy(() => tf.zerosLike(v).variable(false)),
      };
    });
  }

  dispose(): void {
    for (const session of this.sessions.values()) this.backend.deleteSavedModel(session);
    this.sessions.clear();
  }
}
