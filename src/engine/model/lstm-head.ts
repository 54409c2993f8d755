/**
 * The sequence head of YAMNet-LSTM: per-patch embeddings [B, T, D] → LSTM (return sequences) →
 * LSTM → dense softmax, one label per utterance. Padded time steps are masked: a masked step
 * leaves the LSTM state unchanged, so an utterance scores the same whatever it is padded to.
 *
 * Written with raw tf ops rather than tf.layers.lstm: the input projection of every time step is
 * one matrix product, which is about ten times faster on the WASM backend than the per-step
 * layers implementation, and the variables are plain and named, which makes checkpoints simple.
 * Gates follow Keras (i, f, c, o; sigmoid recurrent activation; forget bias initialised to 1).
 */
import { tf } from '../backend/tf';
import { Rng } from '../util/rng';
import { blockLstm, hasBlockLstm } from './native-kernels';

export interface HeadSpec {
  inputDim: number;
  lstmUnits: number[];
  numClasses: number;
}

export interface HeadOutput {
  /** [B, classes] pre-softmax scores. */
  logits: tf.Tensor2D;
  /** [B, units] final state of the last LSTM: the activations t-SNE plots. */
  activation: tf.Tensor2D;
}

/** Weight values by name, for checkpoints and saved models. */
export interface NamedWeights {
  [name: string]: { shape: number[]; data: Float32Array };
}

function glorotUniform(rng: Rng, fanIn: number, fanOut: number): Float32Array {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const out = new Float32Array(fanIn * fanOut);
  for (let i = 0; i < out.length; i++) out[i] = (rng.next() * 2 - 1) * limit;
  return out;
}

/** Keras' orthogonal initialiser for a [rows, cols] kernel (rows < cols: orthonormal rows). */
function orthogonal(rng: Rng, rows: number, cols: number): Float32Array {
  const n = Math.min(rows, cols);
  const len = Math.max(rows, cols);
  const vecs: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    const v = new Float64Array(len);
    for (let j = 0; j < len; j++) v[j] = rng.normal();
    // Modified Gram-Schmidt, twice for numerical orthogonality.
    for (let pass = 0; pass < 2; pass++) {
      for (const u of vecs) {
        let dot = 0;
        for (let j = 0; j < len; j++) dot += u[j] * v[j];
        for (let j = 0; j < len; j++) v[j] -= dot * u[j];
      }
    }
    let norm = 0;
    for (let j = 0; j < len; j++) norm += v[j] * v[j];
    norm = Math.sqrt(norm) || 1;
    for (let j = 0; j < len; j++) v[j] /= norm;
    vecs.push(v);
  }
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[r * cols + c] = rows <= cols ? vecs[r][c] : vecs[c][r];
  }
  return out;
}

let instances = 0;

/**
 * a·b with a gradient that materialises the transposes: the WASM backend's matMul with
 * transposeA/transposeB (what tfjs' own gradient uses) is 10-50x slower than a plain product.
 * `gradA` false skips the input's gradient where the input is data, not a trained value.
 */
function dense(a: tf.Tensor2D, b: tf.Tensor2D, gradA: boolean): tf.Tensor2D {
  // Native TensorFlow's transposed products are fast; its own gradient is ~10 % quicker there.
  if (tf.getBackend() !== 'wasm') return tf.matMul(a, b);
  const f = tf.customGrad(((x: tf.Tensor, w: tf.Tensor, save: tf.GradSaveFunc) => {
    save([x, w]);
    return {
      value: tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const g = dy as tf.Tensor2D;
        const [sx, sw] = saved as tf.Tensor2D[];
        return [gradA ? tf.matMul(g, tf.transpose(sw)) : tf.zerosLike(sx), tf.matMul(tf.transpose(sx), g)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(a, b) as tf.Tensor2D;
}

export class LstmHead {
  readonly variables: tf.Variable[] = [];
  private readonly byName = new Map<string, tf.Variable>();

  constructor(
    readonly spec: HeadSpec,
    seed: number,
  ) {
    const rng = new Rng(seed);
    const instance = ++instances;
    let inDim = spec.inputDim;
    spec.lstmUnits.forEach((units, l) => {
      const bias = new Float32Array(4 * units);
      bias.fill(1, units, 2 * units);
      this.add(instance, `lstm${l + 1}/kernel`, [inDim, 4 * units], glorotUniform(rng, inDim, 4 * units));
      this.add(
        instance,
        `lstm${l + 1}/recurrent_kernel`,
        [units, 4 * units],
        orthogonal(rng, units, 4 * units),
      );
      this.add(instance, `lstm${l + 1}/bias`, [4 * units], bias);
      inDim = units;
    });
    this.add(instance, 'dense/kernel', [inDim, spec.numClasses], glorotUniform(rng, inDim, spec.numClasses));
    this.add(instance, 'dense/bias', [spec.numClasses], new Float32Array(spec.numClasses));
  }

  private add(instance: number, name: string, shape: number[], values: Float32Array): void {
    const init = tf.tensor(values, shape, 'float32');
    const v = tf.variable(init, true, `head${instance}/${name}`);
    init.dispose();
    this.variables.push(v);
    this.byName.set(name, v);
  }

  private v(name: string): tf.Tensor2D {
    return this.byName.get(name)! as unknown as tf.Tensor2D;
  }

  /**
   * x [B, T, D], mask [B, T]: 1 for real patches, then 0 for padding at the end. Call inside tf.tidy.
   * `inputGrad`: x is computed from trained values (fine-tuned YAMNet blocks), so the gradient must
   * flow back through it; false (default) when x is cached data, which saves a product per step.
   */
  apply(x: tf.Tensor3D, mask: tf.Tensor2D, opts: { inputGrad?: boolean } = {}): HeadOutput {
    const [b, t] = x.shape;
    // Padding is at the end of each sequence, and a step's state depends only on earlier steps,
    // so the state at the last real step is exactly what a masked LSTM (state frozen over padded
    // steps) ends with; padded steps are computed but never reach the output. Picking it with a
    // one-hot over time costs two ops instead of eight per step and layer.
    const next = tf.concat([mask.slice([0, 1], [b, t - 1]), tf.zeros([b, 1])], 1);
    const lastStep = tf.sub(mask, next);
    let activation: tf.Tensor2D;
    if (hasBlockLstm()) {
      // Native TensorFlow: each layer is one fused op, time-major throughout.
      let seq = tf.transpose(x, [1, 0, 2]) as tf.Tensor3D;
      this.spec.lstmUnits.forEach((_, l) => {
        const w = tf.concat([this.v(`lstm${l + 1}/kernel`), this.v(`lstm${l + 1}/recurrent_kernel`)], 0);
        seq = blockLstm(seq, w, this.v(`lstm${l + 1}/bias`) as unknown as tf.Tensor1D);
      });
      const pick = tf.transpose(lastStep).reshape([t, b, 1]);
      activation = tf.sum(tf.mul(seq, pick), 0) as tf.Tensor2D;
    } else {
      const seq = this.opByOp(x, opts.inputGrad ?? false);
      activation = tf.sum(tf.mul(seq, lastStep.reshape([b, t, 1])), 1) as tf.Tensor2D;
    }
    const logits = tf.add(
      dense(activation, this.v('dense/kernel'), true),
      this.v('dense/bias'),
    ) as tf.Tensor2D;
    return { logits, activation };
  }

  /** The LSTM layers op by op (backends without a fused LSTM): [B, T, D] → [B, T, units]. */
  private opByOp(x: tf.Tensor3D, inputGrad: boolean): tf.Tensor3D {
    const [b, t] = x.shape;
    let seq: tf.Tensor3D = x;
    this.spec.lstmUnits.forEach((units, l) => {
      const kernel = this.v(`lstm${l + 1}/kernel`);
      const recurrent = this.v(`lstm${l + 1}/recurrent_kernel`);
      const bias = this.v(`lstm${l + 1}/bias`);
      const inDim = seq.shape[2];
      // All time steps' input projections in one product.
      const gradIn = l > 0 || inputGrad;
      const proj = tf
        .add(dense(seq.reshape([b * t, inDim]), kernel, gradIn), bias)
        .reshape([b, t, 4 * units]);
      // tfjs' Unstack gradient fails for a single time step ("Argument tensors passed to stack
      // must be a Tensor[]"): a batch of one-patch utterances would stop training.
      const projSteps =
        t === 1 ? [proj.reshape([b, 4 * units]) as tf.Tensor2D] : (tf.unstack(proj, 1) as tf.Tensor2D[]);
      let h: tf.Tensor2D = tf.zeros([b, units]);
      let c: tf.Tensor2D = tf.zeros([b, units]);
      const outputs: tf.Tensor2D[] = [];
      for (let s = 0; s < t; s++) {
        const z = tf.add(projSteps[s], dense(h, recurrent, true));
        const [zi, zf, zc, zo] = tf.split(z, 4, 1) as tf.Tensor2D[];
        c = tf.add(tf.mul(tf.sigmoid(zf), c), tf.mul(tf.sigmoid(zi), tf.tanh(zc)));
        h = tf.mul(tf.sigmoid(zo), tf.tanh(c));
        outputs.push(h);
      }
      seq = tf.stack(outputs, 1) as tf.Tensor3D;
    });
    return seq;
  }

  getWeights(): NamedWeights {
    const out: NamedWeights = {};
    for (const [name, v] of this.byName) out[name] = { shape: v.shape, data: v.dataSync() as Float32Array };
    return out;
  }

  setWeights(weights: NamedWeights): void {
    for (const [name, v] of this.byName) {
      const w = weights[name];
      if (!w) throw new Error(`head weights lack ${name}`);
      if (w.shape.join('x') !== v.shape.join('x')) {
        throw new Error(`head weight ${name}: shape ${w.shape.join('x')}, expected ${v.shape.join('x')}`);
      }
      tf.tidy(() => v.assign(tf.tensor(w.data, w.shape, 'float32')));
    }
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
    this.variables.length = 0;
    this.byName.clear();
  }
}
