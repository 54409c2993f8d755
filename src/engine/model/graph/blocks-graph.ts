/**
 * YAMNet's blocks K..14 and their global average pooling as graph nodes, forward and backward
 * (the trainable part of a `trainFrom` or full model; see yamnet/model.ts for the eager layers).
 *
 * Block 1 is a 3×3 convolution, stride 2, on the patch [N, 96, 64, 1]:
 *   y = relu(conv3×3(x) + b);  ∂y' = ReluGrad(∂y, y);  ∂b = Σ ∂y';  ∂W = Conv2DBackpropFilter
 * A separable block on x [N, H, W, C] (batch norm folded into the biases):
 *   d = relu(depthwise3×3(x, stride s, SAME) + bd)             [N, H', W', C]
 *   y = relu(d·Wp + bp)  as a matrix product per pixel         [N·H'·W', F]
 * (the 1×1 convolution as a MatMul, for the reasons in backend/pointwise-conv.ts). Backward, with
 * relu'(z)·g = ReluGrad(g, relu(z)) (the mask z > 0 is the mask relu(z) > 0):
 *   ∂y' = ReluGrad(∂y, y);  ∂bp = Σ ∂y';  ∂Wp = dᵀ·∂y';  ∂d = ∂y'·Wpᵀ
 *   ∂d' = ReluGrad(∂d, d);  ∂bd = Σ ∂d';  ∂Wd, ∂x = DepthwiseConv2dNativeBackprop{Filter,Input}
 * Pooling is the mean over H×W, so its gradient spreads ∂embedding / (H·W) over every pixel.
 * The first block's input gradient is not computed: its input is cached data (or the patches).
 */
import type { YamnetLayer } from '../../yamnet/layers';
import { DT, type Attr, type GraphBuilder } from './graph-def';

const F: Attr = { type: DT.float };
const INT: Attr = { type: DT.int32 };

/**
 * Shapes of a block's variables, in the model's order: a convolution's kernel and bias; a
 * separable block's depthwise kernel and bias, then its pointwise kernel and bias.
 */
export function blockVariableShapes(layer: YamnetLayer): number[][] {
  const c = layer.inputShape[2];
  return layer.type === 'conv'
    ? [[3, 3, c, layer.filters], [layer.filters]]
    : [[3, 3, c, 1], [c], [1, 1, c, layer.filters], [layer.filters]];
}

export function blockVariableCount(layer: YamnetLayer): number {
  return blockVariableShapes(layer).length;
}

/**
 * One block's forward nodes. `at`: where its variables start in the blocks' variable list;
 * `x`: its input [N, H, W, C]; `y`: its output [N, H', W', F]. A separable block also keeps the
 * depthwise convolution's output after ReLU ([N, H', W', C], and flat [N·H'·W', C]) and its own
 * output flat [N·H'·W', F], which its gradients read.
 */
type BlockForward = { layer: YamnetLayer; at: number; x: string; y: string } & (
  { kind: 'conv' } | { kind: 'separable'; d: string; dFlat: string; yFlat: string }
);

export interface BlocksForward {
  blocks: BlockForward[];
  /** [N, 1024]: the pooled output of the last block. */
  embedding: string;
}

function convAttrs(stride: number): Record<string, Attr> {
  return {
    T: F,
    strides: { ints: [1, stride, stride, 1] },
    padding: { s: 'SAME' },
    data_format: { s: 'NHWC' },
    dilations: { ints: [1, 1, 1, 1] },
  };
}

const reshape = (g: GraphBuilder, x: string, shape: number[] | string): string =>
  g.op('Reshape', [x, typeof shape === 'string' ? shape : g.intConst(shape)], { T: F, Tshape: INT });

const matMul = (g: GraphBuilder, a: string, b: string, transposeA = false, transposeB = false): string =>
  g.op('MatMul', [a, b], { T: F, transpose_a: { b: transposeA }, transpose_b: { b: transposeB } });

const biasAdd = (g: GraphBuilder, x: string, bias: string): string =>
  g.op('BiasAdd', [x, bias], { T: F, data_format: { s: 'NHWC' } });

/** Blocks `layers` (consecutive) on `x` [N, H, W, C], then the pooling. */
export function addBlocksForward(
  g: GraphBuilder,
  x: string,
  vars: string[],
  layers: readonly YamnetLayer[],
): BlocksForward {
  const blocks: BlockForward[] = [];
  let input = x;
  let at = 0;
  for (const layer of layers) {
    const [kernel, bias, pwKernel, pwBias] = vars.slice(at, at + blockVariableCount(layer));
    if (layer.type === 'conv') {
      const conv = g.op('Conv2D', [input, kernel], convAttrs(layer.stride));
      const y = g.op('Relu', [biasAdd(g, conv, bias)], { T: F });
      blocks.push({ kind: 'conv', layer, at, x: input, y });
    } else {
      const [h, w] = layer.outputShape;
      const c = layer.inputShape[2];
      const conv = g.op('DepthwiseConv2dNative', [input, kernel], convAttrs(layer.stride));
      const d = g.op('Relu', [biasAdd(g, conv, bias)], { T: F });
      const dFlat = reshape(g, d, [-1, c]);
      const pointwise = matMul(g, dFlat, reshape(g, pwKernel, [c, layer.filters]));
      const yFlat = g.op('Relu', [biasAdd(g, pointwise, pwBias)], { T: F });
      const y = reshape(g, yFlat, [-1, h, w, layer.filters]);
      blocks.push({ kind: 'separable', layer, at, x: input, d, dFlat, yFlat, y });
    }
    input = blocks[blocks.length - 1].y;
    at += blockVariableCount(layer);
  }
  const embedding = g.op('Mean', [input, g.intConst([1, 2])], { T: F, Tidx: INT, keep_dims: { b: false } });
  return { blocks, embedding };
}

/** Gradients of the blocks' variables (in `vars` order) from the embedding's gradient [N, 1024]. */
export function addBlocksBackward(
  g: GraphBuilder,
  fwd: BlocksForward,
  vars: string[],
  dEmbedding: string,
): string[] {
  const last = fwd.blocks[fwd.blocks.length - 1];
  const [h, w, filters] = last.layer.outputShape;
  const spread = g.op(
    'BroadcastTo',
    [reshape(g, dEmbedding, [-1, 1, 1, filters]), g.op('Shape', [last.y], { T: F, out_type: INT })],
    { T: F, Tidx: INT },
  );
  let dy = g.op('RealDiv', [spread, g.floatConst(h * w)], { T: F });
  const grads: string[] = new Array(vars.length);
  for (let i = fwd.blocks.length - 1; i >= 0; i--) {
    const block = fwd.blocks[i];
    const { layer, at, x } = block;
    const c = layer.inputShape[2];
    if (block.kind === 'conv') {
      // Block 1 only: its input is the patches, so no input gradient.
      const dConv = g.op('ReluGrad', [dy, block.y], { T: F });
      grads[at + 1] = g.op('BiasAddGrad', [dConv], { T: F, data_format: { s: 'NHWC' } });
      grads[at] = g.op(
        'Conv2DBackpropFilter',
        [x, g.intConst([3, 3, c, layer.filters]), dConv],
        convAttrs(layer.stride),
      );
      continue;
    }
    const { d, dFlat, yFlat } = block;
    const [dwKernel, , pwKernel] = vars.slice(at, at + 4);
    const dPointwise = g.op('ReluGrad', [reshape(g, dy, [-1, layer.filters]), yFlat], { T: F });
    grads[at + 3] = g.op('BiasAddGrad', [dPointwise], { T: F, data_format: { s: 'NHWC' } });
    grads[at + 2] = reshape(g, matMul(g, dFlat, dPointwise, true), [1, 1, c, layer.filters]);
    const dD = reshape(g, matMul(g, dPointwise, reshape(g, pwKernel, [c, layer.filters]), false, true), [
      -1,
      ...layer.outputShape.slice(0, 2),
      c,
    ]);
    const dDepthwise = g.op('ReluGrad', [dD, d], { T: F });
    grads[at + 1] = g.op('BiasAddGrad', [dDepthwise], { T: F, data_format: { s: 'NHWC' } });
    grads[at] = g.op(
      'DepthwiseConv2dNativeBackpropFilter',
      [x, g.intConst([3, 3, c, 1]), dDepthwise],
      convAttrs(layer.stride),
    );
    if (i > 0) {
      const inputSizes = g.op('Shape', [x], { T: F, out_type: INT });
      dy = g.op(
        'DepthwiseConv2dNativeBackpropInput',
        [inputSizes, dwKernel, dDepthwise],
        convAttrs(layer.stride),
      );
    }
  }
  return grads;
}
