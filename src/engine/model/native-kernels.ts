/**
 * Faster ops on the native TensorFlow backend, found by profiling a training step
 * (bench/profile/step.ts). (The 1×1 convolutions as MatMuls live with the backend,
 * backend/pointwise-conv.ts: they also keep a oneDNN crash away from every YAMNet forward pass.)
 *
 * - tfjs' ReLU gradient is dy · step(x), and tfjs-node builds `step` from six ops (IsNan,
 *   Greater, two fills, two Selects) that allocate three tensors the size of the activation; TF's
 *   own ReluGrad is one pass.
 * - The LSTM head's layers run as TensorFlow's fused BlockLSTMV2 (below).
 *
 * The results are the same up to float rounding (tested against the stock kernels). Other
 * backends keep tfjs' own paths.
 */
import { createRequire } from 'node:module';
import { tf } from '../backend/tf';

const BACKEND = 'tensorflow';
const RELU_GRAD = 'SerNativeReluGrad';

interface NativeBackend {
  binding: { TF_ATTR_TYPE: number; TF_FLOAT: number };
  executeSingleOutput(name: string, attrs: unknown[], inputs: tf.Tensor[]): tf.Tensor;
}

let registered = false;

/** Installs the faster kernels for the `tensorflow` backend (idempotent; no-op when absent). */
export function registerNativeTrainingKernels(): void {
  if (registered || !tf.findBackendFactory(BACKEND)) return;
  registered = true;
  tf.registerKernel({
    kernelName: RELU_GRAD,
    backendName: BACKEND,
    kernelFunc: ({ inputs, backend }) => {
      const b = backend as unknown as NativeBackend;
      const { dy, x } = inputs as { dy: tf.Tensor; x: tf.Tensor };
      const attr = { name: 'T', type: b.binding.TF_ATTR_TYPE, value: b.binding.TF_FLOAT };
      return b.executeSingleOutput('ReluGrad', [attr], [dy, x]);
    },
  });
  const stock = tf.getGradient('Relu');
  tf.registerGradient({
    kernelName: 'Relu',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      if (tf.getBackend() !== BACKEND || (dy as tf.Tensor).dtype !== 'float32') {
        return stock!.gradFunc(dy, saved, attrs);
      }
      const [x] = saved;
      return { x: () => tf.engine().runKernel(RELU_GRAD, { dy: dy as tf.Tensor, x }) as tf.Tensor };
    },
  });
}

const requireCjs = createRequire(import.meta.url);

/** tfjs-node's int64 scalar input (tfjs itself has no int64 tensors). */
function int64Scalar(value: number): tf.Tensor {
  const { Int64Scalar } = requireCjs('@tensorflow/tfjs-node/dist/int64_tensors') as {
    Int64Scalar: new (v: number) => tf.Tensor;
  };
  return new Int64Scalar(value);
}

function nativeBackend(): NativeBackend & {
  binding: { TF_ATTR_FLOAT: number; TF_ATTR_BOOL: number };
  executeMultipleOutputs(name: string, attrs: unknown[], inputs: tf.Tensor[], n: number): tf.Tensor[];
} {
  return tf.backend() as unknown as ReturnType<typeof nativeBackend>;
}

/** Whether `blockLstm` can run: the active backend is native TensorFlow. */
export function hasBlockLstm(): boolean {
  return tf.getBackend() === BACKEND;
}

/**
 * A whole LSTM layer as TensorFlow's fused BlockLSTMV2 op: x [T, B, D] (time-major), w [D + H, 4H]
 * (the input kernel stacked on the recurrent kernel), b [4H] → h [T, B, H]. Gate layout i, f, c, o
 * and no cell clipping or peepholes, as Keras' LSTM (tested against LstmHead's op-by-op layer).
 * The gradient is BlockLSTMGradV2: backpropagation through time in one op. Eager tfjs runs every
 * gate of every step as a separate op (~12 per step forward, more backward), and for the head's
 * small matrices that per-op cost, not arithmetic, was the step's time.
 */
export function blockLstm(x: tf.Tensor3D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor3D {
  const [t, batch] = x.shape;
  const units = b.shape[0] / 4;
  const f = tf.customGrad(((xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor, save: tf.GradSaveFunc) => {
    const be = nativeBackend();
    const typeAttr = { name: 'T', type: be.binding.TF_ATTR_TYPE, value: be.binding.TF_FLOAT };
    const peephole = { name: 'use_peephole', type: be.binding.TF_ATTR_BOOL, value: false };
    const zeros = tf.zeros([batch, units]);
    const noPeep = tf.zeros([units]);
    const state = [zeros, zeros, ww, noPeep, noPeep, noPeep, bb];
    const outs = be.executeMultipleOutputs(
      'BlockLSTMV2',
      [{ name: 'cell_clip', type: be.binding.TF_ATTR_FLOAT, value: 0 }, peephole, typeAttr],
      [int64Scalar(t), xx, ...state],
      7,
    );
    save([xx, zeros, noPeep, ww, bb, ...outs]);
    return {
      value: outs[6],
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [sx, z, np, sw, sb, ...fwd] = saved;
        const grads = be.executeMultipleOutputs(
          'BlockLSTMGradV2',
          [peephole, typeAttr],
          [int64Scalar(t), sx, z, z, sw, np, np, np, sb, ...fwd, tf.zerosLike(fwd[1]), dy as tf.Tensor],
          8,
        );
        tf.dispose([grads[1], grads[2], grads[4], grads[5], grads[6]]);
        return [grads[0], grads[3], grads[7]];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(x, w, b) as tf.Tensor3D;
}
