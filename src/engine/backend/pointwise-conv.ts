/**
 * 1×1 convolutions as matrix products on the native TensorFlow backend: the forward pass and both
 * gradients. A 1×1, stride-1, NHWC convolution is x[N·H·W, Cin] · W[Cin, Cout]; its input
 * gradient is dy · Wᵀ and its filter gradient xᵀ · dy. The results are the same products up to
 * summation order (tested against tfjs' cpu kernels). Installed when the backend loads, before any
 * op runs, for two measured reasons:
 *
 * - Crash. TensorFlow 2.21's oneDNN convolution kills the process with SIGFPE on AMD EPYC (Zen 5,
 *   family 26) guests that report no cache topology (no /sys/devices/system/cpu/cpu0/cache; lscpu
 *   lists no caches): `MklConvFwdPrimitive::Setup` divides by zero for YAMNet block 13's pointwise
 *   convolution ([N, 3, 2, 512] → 1024) at every batch size (1–168) and thread count (1, 2) tried.
 *   Every other YAMNet convolution, and MatMul at the same sizes, ran. ONEDNN_MAX_CPU_ISA=AVX2
 *   crashes too; TF_ENABLE_ONEDNN_OPTS=0 does not, but it also takes oneDNN's kernels away from
 *   the Adam update (frozen step at 1 thread: 5 ms → 55–73 ms for `applyGradients`).
 * - Speed. Conv2DBackpropInput of these convolutions ran 20-26x slower than the matrix product it
 *   is (TF 2.9's CPU kernel for a [168, 3, 2, 1024] input: 1.2 s CPU against 48 ms); it was
 *   60-75 % of every fine-tuning step.
 *
 * Conv2D and FusedConv2D are both replaced: tfjs-node's FusedConv2D calls its conv directly.
 */
import { tf } from './tfjs';

interface ConvAttrs {
  strides?: number | [number, number];
  dilations?: number | [number, number];
  dataFormat?: string;
  activation?: string;
  inputShape?: number[];
  filterShape?: number[];
}

function isOne(v: number | [number, number] | undefined): boolean {
  return v === undefined || v === 1 || (Array.isArray(v) && v[0] === 1 && v[1] === 1);
}

/** Whether a convolution is a per-pixel matrix product: 1×1 filter, stride 1, no dilation, NHWC. */
export function isPointwiseConv(filterShape: readonly number[], attrs: ConvAttrs): boolean {
  return (
    filterShape[0] === 1 &&
    filterShape[1] === 1 &&
    isOne(attrs.strides) &&
    isOne(attrs.dilations) &&
    (attrs.dataFormat ?? 'NHWC') === 'NHWC'
  );
}

function forward(x: tf.Tensor4D, filter: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w, cin] = x.shape;
  const cout = filter.shape[3];
  return tf.matMul(x.reshape([n * h * w, cin]), filter.reshape([cin, cout])).reshape([n, h, w, cout]);
}

let registered = false;

/** Installs the MatMul kernels for 1×1 convolutions (idempotent; no-op without the backend). */
export function registerPointwiseConv(): void {
  if (registered || !tf.findBackendFactory('tensorflow')) return;
  registered = true;
  overrideNativeKernel('Conv2D', (inputs, attrs, stock) => {
    const { x, filter } = inputs as { x: tf.Tensor4D; filter: tf.Tensor4D };
    if (!isPointwiseConv(filter.shape, attrs as ConvAttrs)) return stock();
    return tf.tidy(() => forward(x, filter));
  });
  overrideNativeKernel('FusedConv2D', (inputs, attrs, stock) => {
    const { x, filter, bias, preluActivationWeights } = inputs as Record<string, tf.Tensor4D>;
    const activation = (attrs as ConvAttrs).activation ?? 'linear';
    // The activations YAMNet uses; others keep the stock kernel.
    const handled = ['linear', 'relu'].includes(activation) && !preluActivationWeights;
    if (!handled || !isPointwiseConv(filter.shape, attrs as ConvAttrs)) return stock();
    return tf.tidy(() => {
      let y: tf.Tensor4D = forward(x, filter);
      if (bias) y = tf.add(y, bias);
      return activation === 'relu' ? tf.relu(y) : y;
    });
  });
  overrideNativeKernel('Conv2DBackpropInput', (inputs, attrs, stock) => {
    const { dy, filter } = inputs as { dy: tf.Tensor4D; filter: tf.Tensor4D };
    const a = attrs as ConvAttrs;
    if (!isPointwiseConv(filter.shape, a) || !a.inputShape) return stock();
    const [cin, cout] = [filter.shape[2], filter.shape[3]];
    return tf.tidy(() =>
      tf.matMul(dy.reshape([-1, cout]), filter.reshape([cin, cout]), false, true).reshape(a.inputShape!),
    );
  });
  overrideNativeKernel('Conv2DBackpropFilter', (inputs, attrs, stock) => {
    const { x, dy } = inputs as { x: tf.Tensor4D; dy: tf.Tensor4D };
    const a = attrs as ConvAttrs;
    if (!a.filterShape || !isPointwiseConv(a.filterShape, a)) return stock();
    const [cin, cout] = [x.shape[3], dy.shape[3]];
    return tf.tidy(() =>
      tf.matMul(x.reshape([-1, cin]), dy.reshape([-1, cout]), true, false).reshape(a.filterShape!),
    );
  });
}

type KernelBody = (
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap,
  stock: () => tf.TensorInfo | tf.TensorInfo[],
) => tf.TensorInfo | tf.TensorInfo[];

/** Replaces a kernel of the native backend, keeping the stock one for the cases `body` leaves. */
function overrideNativeKernel(kernelName: string, body: KernelBody): void {
  const stock = tf.getKernel(kernelName, 'tensorflow');
  if (!stock) return;
  tf.unregisterKernel(kernelName, 'tensorflow');
  tf.registerKernel({
    kernelName,
    backendName: 'tensorflow',
    kernelFunc: (args) => body(args.inputs, args.attrs ?? {}, () => stock.kernelFunc(args)),
  });
}
