/**
 * The frozen mode's training step as one TensorFlow graph: gather the batch from the fold's
 * resident steps, the LSTM head forward (BlockLSTMV2 per layer), the weighted softmax
 * cross-entropy, its gradient written out by hand (BlockLSTMGradV2 is backpropagation through
 * time in one op), and tfjs' Adam update, all in one session run instead of ~220 eager ops.
 *
 * It computes what the eager step computes (LstmHead.apply + tf.losses.softmaxCrossEntropy +
 * tf.train.adam), op for op where tfjs' order matters, and reads and writes the same variables,
 * Adam moments and bias-correction products, so checkpoints, resume and the eager path mix
 * freely. Tested against the eager step (head-step.test.ts).
 *
 * The gradient, for a batch of B utterances with weights w (class weight / non-zero weights):
 *   loss = Σ_b w_b · CE_b,  ∂loss/∂logits_b = w_b · (softmax_b − y_b)   (the op's `backprop`)
 *   logits = a·Wd + bd:  ∂Wd = aᵀ·∂logits,  ∂bd = Σ_b ∂logits_b,  ∂a = ∂logits·Wdᵀ
 *   a = Σ_t pick_t ⊙ h_t  (pick: one-hot of each utterance's last real step), so ∂h_t = pick_t ⊙ ∂a
 * and BlockLSTMGradV2 carries ∂h back through each layer to its weights and input.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tf } from '../../backend/tf';
import type { HeadSpec } from '../lstm-head';
import type { ResidentSteps } from '../resident-steps';
import type { Sample } from '../sample';
import { YamnetLstm, type SerModel } from '../ser-model';
import { DT, GraphBuilder, type Attr } from './graph-def';

export interface AdamSettings {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/** A written step graph: its SavedModel folder and how many variables it updates. */
export interface HeadStepGraph {
  dir: string;
  /** Variables in LstmHead order: per layer kernel, recurrent kernel, bias; dense kernel, bias. */
  variableCount: number;
}

const F: Attr = { type: DT.float };

/** Writes the step graph for `spec` and `adam` as a SavedModel in a fresh temporary folder. */
export function writeHeadStepGraph(spec: HeadSpec, adam: AdamSettings): HeadStepGraph {
  const g = new GraphBuilder();
  const table = g.input('table', DT.float);
  const rows = g.input('rows', DT.int32); // [T, B] time-major row indices into table
  const pick = g.input('pick', DT.float); // [T, B, 1]
  const onehot = g.input('onehot', DT.float); // [B, C]
  const weight = g.input('weight', DT.float); // [B]
  const labels = g.input('labels', DT.int32); // [B]
  const steps = g.input('steps', DT.int32); // T, as a scalar
  const layers = spec.lstmUnits.length;
  const variableCount = 3 * layers + 2;
  const vars = Array.from({ length: variableCount }, (_, i) => g.input(`var${i}`, DT.float));
  const ms = Array.from({ length: variableCount }, (_, i) => g.input(`m${i}`, DT.float));
  const vs = Array.from({ length: variableCount }, (_, i) => g.input(`v${i}`, DT.float));
  const accBeta1 = g.input('accBeta1', DT.float);
  const accBeta2 = g.input('accBeta2', DT.float);

  const int = { type: DT.int32 } as const;
  const seqLen = g.op('Cast', [steps], { SrcT: int, DstT: { type: DT.int64 }, Truncate: { b: false } });
  const batchShape = g.op('Shape', [weight], { T: F, out_type: int });
  const noPeephole = { b: false };
  // Forward: [T, B, D] straight from the gather (time-major indices), layer by layer.
  let x = g.op('GatherV2', [table, rows, g.intConst(0)], {
    Tparams: F,
    Tindices: int,
    Taxis: int,
    batch_dims: { i: 0 },
  });
  const fwd: { x: string; w: string; zeros: string; peep: string; block: string; inDim: number }[] = [];
  let inDim = spec.inputDim;
  spec.lstmUnits.forEach((units, l) => {
    const [kernel, recurrent, bias] = vars.slice(3 * l, 3 * l + 3);
    const w = g.op('ConcatV2', [kernel, recurrent, g.intConst(0)], { N: { i: 2 }, T: F, Tidx: int });
    const stateShape = g.op('ConcatV2', [batchShape, g.intConst([units]), g.intConst(0)], {
      N: { i: 2 },
      T: int,
      Tidx: int,
    });
    const zeros = g.op('Fill', [stateShape, g.floatConst(0)], { T: F, index_type: int });
    const peep = g.floatConst(0, [units]);
    const block = g.op(
      'BlockLSTMV2',
      [seqLen, x, zeros, zeros, w, peep, peep, peep, bias],
      { cell_clip: { f: 0 }, use_peephole: noPeephole, T: F },
      `lstm${l + 1}`,
    );
    fwd.push({ x, w, zeros, peep, block, inDim });
    x = `${block}:6`;
    inDim = units;
  });
  const denseKernel = vars[3 * layers];
  const denseBias = vars[3 * layers + 1];
  const activation = g.op('Sum', [g.op('Mul', [x, pick], { T: F }), g.intConst(0)], {
    T: F,
    Tidx: int,
    keep_dims: { b: false },
  });
  const logits = g.op(
    'AddV2',
    [
      g.op('MatMul', [activation, denseKernel], {
        T: F,
        transpose_a: { b: false },
        transpose_b: { b: false },
      }),
      denseBias,
    ],
    { T: F },
  );
  const ce = g.op('SoftmaxCrossEntropyWithLogits', [logits, onehot], { T: F });
  g.op(
    'Sum',
    [g.op('Mul', [`${ce}:0`, weight], { T: F }), g.intConst(0)],
    { T: F, Tidx: int, keep_dims: { b: false } },
    'loss',
  );
  const predicted = g.op(
    'ArgMax',
    [logits, g.intConst(1)],
    { T: F, Tidx: int, output_type: int },
    'predicted',
  );
  const hits = g.op('Equal', [predicted, labels], { T: int, incompatible_shape_error: { b: true } });
  g.op(
    'Sum',
    [g.op('Cast', [hits], { SrcT: { type: DT.bool }, DstT: F, Truncate: { b: false } }), g.intConst(0)],
    {
      T: F,
      Tidx: int,
      keep_dims: { b: false },
    },
    'correct',
  );

  // Backward.
  const weightColumn = g.op('ExpandDims', [weight, g.intConst(-1)], { T: F, Tdim: int });
  const dLogits = g.op('Mul', [`${ce}:1`, weightColumn], { T: F });
  const grads: string[] = new Array(variableCount);
  grads[3 * layers] = g.op('MatMul', [activation, dLogits], {
    T: F,
    transpose_a: { b: true },
    transpose_b: { b: false },
  });
  grads[3 * layers + 1] = g.op('Sum', [dLogits, g.intConst(0)], { T: F, Tidx: int, keep_dims: { b: false } });
  const dActivation = g.op('MatMul', [dLogits, denseKernel], {
    T: F,
    transpose_a: { b: false },
    transpose_b: { b: true },
  });
  let dh = g.op('Mul', [pick, g.op('ExpandDims', [dActivation, g.intConst(0)], { T: F, Tdim: int })], {
    T: F,
  });
  for (let l = layers - 1; l >= 0; l--) {
    const { x: input, w, zeros, peep, block, inDim: d } = fwd[l];
    const bias = vars[3 * l + 2];
    const outputs = Array.from({ length: 7 }, (_, k) => `${block}:${k}`);
    const csGrad = g.op('ZerosLike', [outputs[1]], { T: F });
    const grad = g.op(
      'BlockLSTMGradV2',
      [seqLen, input, zeros, zeros, w, peep, peep, peep, bias, ...outputs, csGrad, dh],
      { use_peephole: noPeephole, T: F },
      `lstm${l + 1}_grad`,
    );
    const slice = (begin: number[], size: number[]): string =>
      g.op('Slice', [`${grad}:3`, g.intConst(begin), g.intConst(size)], { T: F, Index: int });
    grads[3 * l] = slice([0, 0], [d, -1]);
    grads[3 * l + 1] = slice([d, 0], [-1, -1]);
    grads[3 * l + 2] = `${grad}:7`;
    dh = `${grad}:0`;
  }

  // tfjs' Adam (optimizers/adam_optimizer.js), in its order of operations:
  //   m ← m·β1 + g·(1−β1);  v ← v·β2 + g²·(1−β2)
  //   θ ← (m / (1 − β1ᵗ)) / (√(v / (1 − β2ᵗ)) + ε) · (−lr) + θ;  β1ᵗ⁺¹ = β1ᵗ·β1, β2ᵗ⁺¹ = β2ᵗ·β2
  const c = (value: number): string => g.floatConst(value);
  const [beta1, beta2, oneMinusBeta1, oneMinusBeta2] = [
    adam.beta1,
    adam.beta2,
    1 - adam.beta1,
    1 - adam.beta2,
  ].map(c);
  const epsilon = c(adam.epsilon);
  const negLr = c(-adam.learningRate);
  const one = c(1);
  const correction1 = g.op('Sub', [one, accBeta1], { T: F });
  const correction2 = g.op('Sub', [one, accBeta2], { T: F });
  const mul = (a: string, b: string): string => g.op('Mul', [a, b], { T: F });
  const add = (a: string, b: string, name?: string): string => g.op('AddV2', [a, b], { T: F }, name);
  const div = (a: string, b: string): string => g.op('RealDiv', [a, b], { T: F });
  for (let i = 0; i < variableCount; i++) {
    const m = add(mul(ms[i], beta1), mul(grads[i], oneMinusBeta1), `new_m${i}`);
    const v = add(mul(vs[i], beta2), mul(g.op('Square', [grads[i]], { T: F }), oneMinusBeta2), `new_v${i}`);
    const step = div(div(m, correction1), add(g.op('Sqrt', [div(v, correction2)], { T: F }), epsilon));
    add(mul(step, negLr), vars[i], `new_var${i}`);
  }
  g.op('Mul', [accBeta1, beta1], { T: F }, 'new_accBeta1');
  g.op('Mul', [accBeta2, beta2], { T: F }, 'new_accBeta2');

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-head-step-'));
  g.writeSavedModel(dir);
  return { dir, variableCount };
}

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

/** Whether the frozen head's compiled step can run: native backend, not switched off. */
function headStepAvailable(): boolean {
  return tf.getBackend() === 'tensorflow' && process.env.SER_GRAPH_STEP !== '0';
}

/**
 * The compiled step for one model and optimiser. `variables` are the head's, in LstmHead order;
 * the optimiser's moments are created as tfjs' Adam creates them (zeros, named `${var}/m`, `/v`)
 * when it has none yet, so a checkpoint saved after compiled steps restores into either path.
 */
export class HeadGraphStep {
  private readonly backend: SessionBackend;
  private readonly session: number;
  private readonly inputNames: { name: string }[];
  private readonly outputNames: string[];

  constructor(
    spec: HeadSpec,
    private readonly variables: tf.Variable[],
    private readonly optimizer: tf.AdamOptimizer,
    private readonly resident: ResidentSteps,
  ) {
    const adam = optimizer as unknown as AdamState;
    const graph = writeHeadStepGraph(spec, {
      learningRate: adam.learningRate,
      beta1: adam.beta1,
      beta2: adam.beta2,
      epsilon: adam.epsilon,
    });
    this.backend = tf.backend() as unknown as SessionBackend;
    try {
      this.session = this.backend.loadSavedModelMetaGraph(graph.dir, 'serve');
    } finally {
      fs.rmSync(graph.dir, { recursive: true, force: true });
    }
    const n = graph.variableCount;
    if (variables.length !== n)
      throw new Error(`compiled head step: ${variables.length} variables, expected ${n}`);
    const names = ['table', 'rows', 'pick', 'onehot', 'weight', 'labels', 'steps'];
    for (const prefix of ['var', 'm', 'v']) for (let i = 0; i < n; i++) names.push(`${prefix}${i}`);
    names.push('accBeta1', 'accBeta2');
    this.inputNames = names.map((name) => ({ name: `${name}:0` }));
    this.outputNames = ['loss:0', 'predicted:0', 'correct:0'];
    for (const prefix of ['new_var', 'new_m', 'new_v'])
      for (let i = 0; i < n; i++) this.outputNames.push(`${prefix}${i}:0`);
    this.outputNames.push('new_accBeta1:0', 'new_accBeta2:0');
    this.ensureMoments();
  }

  /**
   * The compiled step for a frozen-mode model (the head alone, on steps resident on the native
   * backend, trained with Adam), or null where the eager step runs: other backends, trainable
   * YAMNet blocks, steps not resident, another optimiser, or SER_GRAPH_STEP=0.
   */
  static forModel(
    model: SerModel,
    optimizer: tf.Optimizer,
    resident: ResidentSteps | null | undefined,
  ): HeadGraphStep | null {
    // By class name: tfjs' optimisers answer `instanceof` for any optimiser (Symbol.hasInstance).
    if (!headStepAvailable() || !resident || optimizer.getClassName() !== 'Adam') return null;
    if (!(model instanceof YamnetLstm) || model.backbone) return null;
    return new HeadGraphStep(model.head.spec, model.head.variables, optimizer as tf.AdamOptimizer, resident);
  }

  /** Whether `batch` can take the compiled step (its steps are on the backend). */
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
    const byUtterance = this.resident.paddedRows(batch, tMax);
    const rows = new Int32Array(tMax * b);
    const pick = new Float32Array(tMax * b);
    const onehot = new Float32Array(b * numClasses);
    const raw = batch.map((s) => classWeights[s.label]);
    const nonZero = raw.filter((w) => w !== 0).length;
    const weight = Float32Array.from(raw, (w) => (nonZero ? w / nonZero : 0));
    batch.forEach((s, i) => {
      for (let t = 0; t < tMax; t++) rows[t * b + i] = byUtterance[i * tMax + t];
      if (s.steps > 0) pick[(s.steps - 1) * b + i] = 1;
      onehot[i * numClasses + s.label] = 1;
    });
    const adam = this.optimizer as unknown as AdamState;
    const fed = [
      tf.tensor2d(rows, [tMax, b], 'int32'),
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
    const out = this.backend.runSavedModel(this.session, inputs, this.inputNames, this.outputNames);
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
    this.backend.deleteSavedModel(this.session);
  }
}
