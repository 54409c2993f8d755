/**
 * Faster gradients on the native TensorFlow backend, found by profiling a fine-tuning step
 * (bench/profile/step.ts):
 *
 * - Conv2DBackpropInput of YAMNet's 1×1 pointwise convolutions ran 20-26x slower than the matrix
 *   product it is (TF 2.9's CPU kernel for a [168, 3, 2, 1024] input: 1.2 s CPU against 48 ms);
 *   it was 60-75 % of every fine-tuning step. A 1×1, stride-1 convolution over NHWC data is
 *   x[N·H·W, Cin] · W[Cin, Cout], so its input gradient is dy · Wᵀ and its filter gradient
 *   xᵀ · dy: two MatMuls, TF's fastest kernel.
 * - tfjs' ReLU gradient is dy · step(x), and tfjs-node builds `step` from six ops (IsNan,
 *   Greater, two fills, two Selects) that allocate three tensors the size of the activation; TF's
 *   own ReluGrad is one pass.
 *
 * The results are the same products (summation order aside), so training is unchanged up to
 * float rounding (tested against the stock kernels). Other backends keep tfjs' own paths.
 */
import { tf } from '../backend/tf';

const BACKEND = 'tensorflow';
const RELU_GRAD = 'SerNativeReluGrad';

interface NativeBackend {
  binding: { TF_ATTR_TYPE: number; TF_FLOAT: number };
  executeSingleOutput(name: string, attrs: unknown[], inputs: tf.Tensor[]): tf.Tensor;
}

interface ConvAttrs {
  strides: number | [number, number];
  pad: unknown;
  dataFormat?: string;
  dilations?: number | [number, number];
  inputShape?: number[];
  filterShape?: number[];
}

function isOne(v: number | [number, number] | undefined): boolean {
  return v === undefined || v === 1 || (Array.isArray(v) && v[0] === 1 && v[1] === 1);
}

/** A 1×1 stride-1 NHWC convolution: one matrix product per pixel. */
function isPointwise(filterShape: number[], attrs: ConvAttrs): boolean {
  return (
    filterShape[0] === 1 &&
    filterShape[1] === 1 &&
    isOne(attrs.strides) &&
    isOne(attrs.dilations) &&
    (attrs.dataFormat ?? 'NHWC') === 'NHWC'
  );
}

let registered = false;

/** Installs the faster kernels for the `tensorflow` backend (idempotent; no-op when absent). */
export function registerNativeTrainingKernels(): void {
  if (registered || !tf.findBackendFactory(BACKEND)) return;
  registered = true;
  overrideKernel('Conv2DBackpropInput', (inputs, attrs, fallback) => {
    const { dy, filter } = inputs as { dy: tf.Tensor4D; filter: tf.Tensor4D };
    const a = attrs as unknown as ConvAttrs;
    if (!isPointwise(filter.shape, a) || !a.inputShape) return fallback();
    const [cin, cout] = [filter.shape[2], filter.shape[3]];
    return tf.tidy(() =>
      tf.matMul(dy.reshape([-1, cout]), filter.reshape([cin, cout]), false, true).reshape(a.inputShape!),
    );
  });
  overrideKernel('Conv2DBackpropFilter', (inputs, attrs, fallback) => {
    const { x, dy } = inputs as { x: tf.Tensor4D; dy: tf.Tensor4D };
    const a = attrs as unknown as ConvAttrs;
    if (!a.filterShape || !isPointwise(a.filterShape, a)) return fallback();
    const [cin, cout] = [x.shape[3], dy.shape[3]];
    return tf.tidy(() =>
      tf.matMul(x.reshape([-1, cin]), dy.reshape([-1, cout]), true, false).reshape(a.filterShape!),
    );
  });
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

type KernelBody = (
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap,
  fallback: () => tf.TensorInfo | tf.TensorInfo[],
) => tf.TensorInfo | tf.TensorInfo[];

/** Replaces the tensorflow backend's kernel, keeping the stock one for the cases not handled. */
function overrideKernel(kernelName: string, body: KernelBody): void {
  const stock = tf.getKernel(kernelName, BACKEND);
  if (!stock) return;
  tf.unregisterKernel(kernelName, BACKEND);
  tf.registerKernel({
    kernelName,
    backendName: BACKEND,
    kernelFunc: (args) => body(args.inputs, args.attrs ?? {}, () => stock.kernelFunc(args)),
  });
}
