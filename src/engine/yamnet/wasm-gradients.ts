/**
 * Gradient kernels that @tensorflow/tfjs-backend-wasm 4.22 does not have, so that YAMNet's conv
 * blocks can be fine-tuned on the WASM backend: Conv2DBackpropFilter,
 * DepthwiseConv2dNativeBackpropFilter and DepthwiseConv2dNativeBackpropInput (NHWC, dilation 1).
 * Each is written with ops the backend runs fast (pad, transpose, matMul, dilated convs), so they
 * run in WASM; results equal the cpu backend's kernels to float rounding (tested).
 *
 * With padding (top, left) and stride s, output pixel (y, x) of a k×k conv reads the padded input
 * at (y·s + i, x·s + j) for kernel tap (i, j). Hence
 *   dW[i, j, c, f] = Σ_{n,y,x} xpad[n, y·s+i, x·s+j, c] · dy[n, y, x, f]
 * which is a valid convolution of xpad (with c as the batch and n as the channel) by dy (as a
 * filter, dilated by s): the output's spatial size is exactly k×k. Depthwise is the same per
 * channel, with (c, n) pairs as the depthwise channels. And, scattering back,
 *   dxpad[n, y·s+i, x·s+j, c] += dy[n, y, x, c] · w[i, j, c]                (depthwise, per tap)
 * with dx = dxpad without the padding. (Slices, strided or not, are slow in WASM; these avoid them
 * in the hot paths.)
 */
import { tf } from '../backend/tf';

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

interface Geometry {
  top: number;
  bottom: number;
  left: number;
  right: number;
  outH: number;
  outW: number;
  strideH: number;
  strideW: number;
}

function geometry(
  inShape: number[],
  filterShape: number[],
  strides: number | [number, number],
  dilations: number | [number, number],
  pad: Pad,
  roundingMode: 'floor' | 'round' | 'ceil' | undefined,
  depthwise: boolean,
): Geometry {
  const d = typeof dilations === 'number' ? [dilations, dilations] : dilations;
  if (d[0] !== 1 || d[1] !== 1) throw new Error('the WASM gradient kernels support dilation 1 only');
  const info = tf.backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    1,
    pad,
    roundingMode,
    depthwise,
  );
  const { top, bottom, left, right } = info.padInfo;
  return {
    top,
    bottom,
    left,
    right,
    outH: info.outHeight,
    outW: info.outWidth,
    strideH: info.strideHeight,
    strideW: info.strideWidth,
  };
}

/** The padded input, cut to exactly the rows and columns the conv reads: (out − 1)·s + k. */
function padInput(x: tf.Tensor4D, g: Geometry, kh: number, kw: number): tf.Tensor4D {
  const [n, , , c] = x.shape;
  const padded = tf.pad(x, [
    [0, 0],
    [g.top, g.bottom],
    [g.left, g.right],
    [0, 0],
  ]);
  const h = (g.outH - 1) * g.strideH + kh;
  const w = (g.outW - 1) * g.strideW + kw;
  return padded.shape[1] === h && padded.shape[2] === w ? padded : padded.slice([0, 0, 0, 0], [n, h, w, c]);
}

/** Spreads [N, h, w, C] onto a grid with the stride's spacing: [N, (h−1)·sh+1, (w−1)·sw+1, C]. */
function spread(t: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  let out = t;
  const [n, h, w, c] = t.shape;
  if (sh > 1) {
    out = tf
      .stack([out, ...Array.from({ length: sh - 1 }, () => tf.zerosLike(out))], 2)
      .reshape([n, h * sh, w, c]);
    out = out.slice([0, 0, 0, 0], [n, (h - 1) * sh + 1, w, c]);
  }
  if (sw > 1) {
    const hh = out.shape[1];
    out = tf
      .stack([out, ...Array.from({ length: sw - 1 }, () => tf.zerosLike(out))], 3)
      .reshape([n, hh, w * sw, c]);
    out = out.slice([0, 0, 0, 0], [n, hh, (w - 1) * sw + 1, c]);
  }
  return out;
}

function conv2DBackpropFilter(args: {
  inputs: tf.NamedTensorMap;
  attrs: Record<string, unknown>;
}): tf.Tensor {
  const { x, dy } = args.inputs as { x: tf.Tensor4D; dy: tf.Tensor4D };
  const a = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (a.dataFormat && a.dataFormat !== 'NHWC')
    throw new Error('the WASM Conv2DBackpropFilter supports NHWC only');
  return tf.tidy(() => {
    const [kh, kw, c, f] = a.filterShape;
    const g = geometry(x.shape, a.filterShape, a.strides, 1, a.pad as Pad, a.dimRoundingMode, false);
    const xpad = padInput(x, g, kh, kw);
    if (kh === 1 && kw === 1 && g.strideH === 1 && g.strideW === 1)
      // An explicit transpose: WASM's matMul with transposeA is ~50x slower than without.
      return tf.matMul(xpad.reshape([-1, c]).transpose(), dy.reshape([-1, f])).reshape([1, 1, c, f]);
    const xt = xpad.transpose([3, 1, 2, 0]); // [C, H, W, N]
    const dyt = dy.transpose([1, 2, 0, 3]); // [outH, outW, N, F]
    const out = tf.conv2d(xt as tf.Tensor4D, dyt as tf.Tensor4D, 1, 'valid', 'NHWC', [g.strideH, g.strideW]);
    return out.transpose([1, 2, 0, 3]); // [kh, kw, C, F]
  });
}

function depthwiseBackpropFilter(args: {
  inputs: tf.NamedTensorMap;
  attrs: Record<string, unknown>;
}): tf.Tensor {
  const { x, dy } = args.inputs as { x: tf.Tensor4D; dy: tf.Tensor4D };
  const a = args.attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
  return tf.tidy(() => {
    const [kh, kw, c, m] = a.filterShape;
    const n = x.shape[0];
    const g = geometry(x.shape, a.filterShape, a.strides, a.dilations, a.pad as Pad, a.dimRoundingMode, true);
    const xpad = padInput(x, g, kh, kw);
    const [, h, w] = xpad.shape;
    const xt = xpad.transpose([1, 2, 3, 0]).reshape([1, h, w, c * n]); // channels (c, n)
    const dyt = dy
      .reshape([n, g.outH, g.outW, c, m])
      .transpose([1, 2, 3, 0, 4])
      .reshape([g.outH, g.outW, c * n, m]);
    const out = tf.depthwiseConv2d(xt as tf.Tensor4D, dyt as tf.Tensor4D, 1, 'valid', 'NHWC', [
      g.strideH,
      g.strideW,
    ]);
    return out.reshape([kh, kw, c, n, m]).sum(3);
  });
}

function depthwiseBackpropInput(args: {
  inputs: tf.NamedTensorMap;
  attrs: Record<string, unknown>;
}): tf.Tensor {
  const { dy, filter } = args.inputs as { dy: tf.Tensor4D; filter: tf.Tensor4D };
  const a = args.attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
  return tf.tidy(() => {
    const [n, h, w, c] = a.inputShape;
    const [kh, kw, , m] = filter.shape;
    const g = geometry(
      a.inputShape,
      filter.shape,
      a.strides,
      a.dilations,
      a.pad as Pad,
      a.dimRoundingMode,
      true,
    );
    const hp = h + g.top + g.bottom;
    const wp = w + g.left + g.right;
    const dy5 = dy.reshape([n, g.outH, g.outW, c, m]);
    const spanH = (g.outH - 1) * g.strideH + 1;
    const spanW = (g.outW - 1) * g.strideW + 1;
    let dxpad: tf.Tensor4D = tf.zeros([n, hp, wp, c]);
    for (let i = 0; i < kh; i++)
      for (let j = 0; j < kw; j++) {
        const wij = filter.slice([i, j, 0, 0], [1, 1, c, m]).reshape([c, m]);
        const contribution = dy5.mul(wij).sum(4) as tf.Tensor4D;
        const placed = tf.pad(spread(contribution, g.strideH, g.strideW), [
          [0, 0],
          [i, hp - i - spanH],
          [j, wp - j - spanW],
          [0, 0],
        ]);
        dxpad = dxpad.add(placed);
      }
    return dxpad.slice([0, g.top, g.left, 0], [n, h, w, c]);
  });
}

/**
 * Conv2DBackpropInput for 1×1, stride-1 kernels (YAMNet's pointwise convs) as dy · Wᵀ: WASM's own
 * kernel is ~6x slower there. Other shapes go to the kernel it replaces.
 */
function pointwiseBackpropInput(
  original: tf.KernelFunc,
): (args: { inputs: tf.NamedTensorMap; attrs: Record<string, unknown>; backend?: unknown }) => tf.Tensor {
  return (args) => {
    const { dy, filter } = args.inputs as { dy: tf.Tensor4D; filter: tf.Tensor4D };
    const a = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
    const strides = typeof a.strides === 'number' ? [a.strides, a.strides] : a.strides;
    const [kh, kw, c, f] = filter.shape;
    const pointwise =
      kh === 1 && kw === 1 && strides[0] === 1 && strides[1] === 1 && (a.dataFormat ?? 'NHWC') === 'NHWC';
    if (!pointwise || typeof a.pad === 'object')
      return original(args as unknown as Parameters<tf.KernelFunc>[0]) as tf.Tensor;
    return tf.tidy(() =>
      tf.matMul(dy.reshape([-1, f]), filter.reshape([c, f]).transpose()).reshape(a.inputShape),
    );
  };
}

const KERNELS: [
  string,
  (args: { inputs: tf.NamedTensorMap; attrs: Record<string, unknown> }) => tf.Tensor,
][] = [
  ['Conv2DBackpropFilter', conv2DBackpropFilter],
  ['DepthwiseConv2dNativeBackpropFilter', depthwiseBackpropFilter],
  ['DepthwiseConv2dNativeBackpropInput', depthwiseBackpropInput],
];

/** The gradient kernels this module supplies to the WASM backend (registered before training). */
export const WASM_TRAINING_KERNELS: readonly string[] = KERNELS.map(([name]) => name);

/** Kernels YAMNet fine-tuning needs that `backend` lacks (none once the WASM ones are registered). */
export function missingTrainingKernels(backend = tf.getBackend()): string[] {
  return [...KERNELS.map(([name]) => name), 'Conv2DBackpropInput'].filter((k) => !tf.getKernel(k, backend));
}

let pointwiseOverride = false;

/** Registers the missing WASM gradient kernels (idempotent; a no-op where they exist). */
export function registerWasmTrainingKernels(): void {
  const original = tf.getKernel('Conv2DBackpropInput', 'wasm');
  if (original && !pointwiseOverride) {
    pointwiseOverride = true;
    tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
    tf.registerKernel({
      ...original,
      kernelFunc: pointwiseBackpropInput(original.kernelFunc) as unknown as tf.KernelFunc,
    });
  }
  for (const [kernelName, fn] of KERNELS) {
    if (tf.getKernel(kernelName, 'wasm')) continue;
    tf.registerKernel({
      kernelName,
      backendName: 'wasm',
      // The engine accepts a Tensor as a kernel output (it has a rank), and inputs are Tensors.
      kernelFunc: ((args: { inputs: tf.NamedTensorMap; attrs: Record<string, unknown> }) =>
        fn(args)) as unknown as tf.KernelFunc,
    });
  }
}
