/**
 * The LSTM head (LstmHead: stacked LSTM layers, the last real step's activation, a dense layer to
 * the class logits) and its weighted softmax cross-entropy as graph nodes, forward and backward.
 *
 * The gradient, for a batch of B utterances with weights w (class weight / non-zero weights):
 *   loss = Σ_b w_b · CE_b,  ∂loss/∂logits_b = w_b · (softmax_b − y_b)   (the op's `backprop`)
 *   logits = a·Wd + bd:  ∂Wd = aᵀ·∂logits,  ∂bd = Σ_b ∂logits_b,  ∂a = ∂logits·Wdᵀ
 *   a = Σ_t pick_t ⊙ h_t  (pick: one-hot of each utterance's last real step), so ∂h_t = pick_t ⊙ ∂a
 * and BlockLSTMGradV2 (backpropagation through time in one op) carries ∂h back through each layer
 * to its weights and its input.
 */
import type { HeadSpec } from '../lstm-head';
import { DT, type Attr, type GraphBuilder } from './graph-def';

const F: Attr = { type: DT.float };
const INT: Attr = { type: DT.int32 };
const NO_PEEPHOLE: Attr = { b: false };

/** What the head's backward pass needs of its forward pass. */
export interface HeadForward {
  logits: string;
  activation: string;
  layers: {
    x: string;
    w: string;
    zeros: string;
    peep: string;
    block: string;
    inDim: number;
    units: number;
  }[];
}

/** Graph inputs the head reads besides its variables. */
export interface HeadFeeds {
  /** T as an int32 scalar. */
  steps: string;
  /** [T, B, 1]: 1 at each utterance's last real step. */
  pick: string;
  /** [B, C] one-hot labels, [B] loss weights, [B] int32 labels. */
  onehot: string;
  weight: string;
  labels: string;
}

export function sumOver(g: GraphBuilder, x: string, axes: number | number[], name?: string): string {
  return g.op('Sum', [x, g.intConst(axes)], { T: F, Tidx: INT, keep_dims: { b: false } }, name);
}

function matMul(g: GraphBuilder, a: string, b: string, transposeA = false, transposeB = false): string {
  return g.op('MatMul', [a, b], { T: F, transpose_a: { b: transposeA }, transpose_b: { b: transposeB } });
}

/**
 * The head on a time-major sequence `seq` [T, B, D]; `vars` in LstmHead order (per layer kernel,
 * recurrent kernel, bias; then the dense kernel and bias).
 */
export function addHeadForward(
  g: GraphBuilder,
  seq: string,
  vars: string[],
  spec: HeadSpec,
  feeds: HeadFeeds,
): HeadForward {
  const seqLen = g.op('Cast', [feeds.steps], { SrcT: INT, DstT: { type: DT.int64 }, Truncate: { b: false } });
  const batchShape = g.op('Shape', [feeds.weight], { T: F, out_type: INT });
  const layers: HeadForward['layers'] = [];
  let x = seq;
  let inDim = spec.inputDim;
  spec.lstmUnits.forEach((units, l) => {
    const [kernel, recurrent, bias] = vars.slice(3 * l, 3 * l + 3);
    const w = g.op('ConcatV2', [kernel, recurrent, g.intConst(0)], { N: { i: 2 }, T: F, Tidx: INT });
    const stateShape = g.op('ConcatV2', [batchShape, g.intConst([units]), g.intConst(0)], {
      N: { i: 2 },
      T: INT,
      Tidx: INT,
    });
    const zeros = g.op('Fill', [stateShape, g.floatConst(0)], { T: F, index_type: INT });
    const peep = g.floatConst(0, [units]);
    const block = g.op(
      'BlockLSTMV2',
      [seqLen, x, zeros, zeros, w, peep, peep, peep, bias],
      { cell_clip: { f: 0 }, use_peephole: NO_PEEPHOLE, T: F },
      `lstm${l + 1}`,
    );
    layers.push({ x, w, zeros, peep, block, inDim, units });
    x = `${block}:6`;
    inDim = units;
  });
  const dense = spec.lstmUnits.length * 3;
  const activation = sumOver(g, g.op('Mul', [x, feeds.pick], { T: F }), 0);
  const logits = g.op('AddV2', [matMul(g, activation, vars[dense]), vars[dense + 1]], { T: F });
  return { logits, activation, layers };
}

/**
 * The weighted cross-entropy and the step's scores as the nodes `loss`, `predicted` and
 * `correct`; returns the cross-entropy op (output 1 is its gradient per logit).
 */
export function addHeadLoss(g: GraphBuilder, logits: string, feeds: HeadFeeds): string {
  const ce = g.op('SoftmaxCrossEntropyWithLogits', [logits, feeds.onehot], { T: F });
  sumOver(g, g.op('Mul', [`${ce}:0`, feeds.weight], { T: F }), 0, 'loss');
  const predicted = g.op(
    'ArgMax',
    [logits, g.intConst(1)],
    { T: F, Tidx: INT, output_type: INT },
    'predicted',
  );
  const hits = g.op('Equal', [predicted, feeds.labels], { T: INT, incompatible_shape_error: { b: true } });
  const asFloat = g.op('Cast', [hits], { SrcT: { type: DT.bool }, DstT: F, Truncate: { b: false } });
  sumOver(g, asFloat, 0, 'correct');
  return ce;
}

/**
 * The head's gradients (in `vars` order) and the gradient of its input sequence [T, B, D] for a
 * backbone below the head. With `stepsKnown` (T fixed when the graph is built: the frozen head,
 * whose input is cached data) the first layer's input gradient is not computed (see
 * addWeightGradsOnly) and `dSeq` is null.
 */
export function addHeadBackward(
  g: GraphBuilder,
  fwd: HeadForward,
  ce: string,
  vars: string[],
  feeds: HeadFeeds,
  stepsKnown?: number,
): { grads: string[]; dSeq: string | null } {
  const layers = fwd.layers.length;
  const seqLen = g.op('Cast', [feeds.steps], { SrcT: INT, DstT: { type: DT.int64 }, Truncate: { b: false } });
  const weightColumn = g.op('ExpandDims', [feeds.weight, g.intConst(-1)], { T: F, Tdim: INT });
  const dLogits = g.op('Mul', [`${ce}:1`, weightColumn], { T: F });
  const grads: string[] = new Array(3 * layers + 2);
  grads[3 * layers] = matMul(g, fwd.activation, dLogits, true);
  grads[3 * layers + 1] = sumOver(g, dLogits, 0);
  const dActivation = matMul(g, dLogits, vars[3 * layers], false, true);
  const spread = g.op('ExpandDims', [dActivation, g.intConst(0)], { T: F, Tdim: INT });
  let dh = g.op('Mul', [feeds.pick, spread], { T: F });
  for (let l = layers - 1; l >= 0; l--) {
    if (l === 0 && stepsKnown !== undefined) {
      grads.splice(0, 3, ...addWeightGradsOnly(g, fwd.layers[0], vars.slice(0, 3), dh, stepsKnown));
      return { grads, dSeq: null };
    }
    const { x: input, w, zeros, peep, block, inDim } = fwd.layers[l];
    const bias = vars[3 * l + 2];
    const outputs = Array.from({ length: 7 }, (_, k) => `${block}:${k}`);
    const csGrad = g.op('ZerosLike', [outputs[1]], { T: F });
    const grad = g.op(
      'BlockLSTMGradV2',
      [seqLen, input, zeros, zeros, w, peep, peep, peep, bias, ...outputs, csGrad, dh],
      { use_peephole: NO_PEEPHOLE, T: F },
      `lstm${l + 1}_grad`,
    );
    // w_grad (output 3) is [D + H, 4H]: the input kernel's rows, then the recurrent kernel's.
    const slice = (begin: number[], size: number[]): string =>
      g.op('Slice', [`${grad}:3`, g.intConst(begin), g.intConst(size)], { T: F, Index: INT });
    grads[3 * l] = slice([0, 0], [inDim, -1]);
    grads[3 * l + 1] = slice([inDim, 0], [-1, -1]);
    grads[3 * l + 2] = `${grad}:7`;
    dh = `${grad}:0`;
  }
  return { grads, dSeq: dh };
}

/**
 * Gradients of one LSTM layer's kernel, recurrent kernel and bias, without its input gradient:
 * BlockLSTMGradV2 always computes ∂x = ∂gates·Wxᵀ, a [T·B, 4H]·[4H, D] product that is about
 * 30 % of the frozen head's step (D = 1024) and that nothing reads there. Instead, per step t from
 * the last (T is fixed), LSTMBlockCellGrad gives the gate gradients ∂gates_t from ∂h_t and ∂c_t
 * (it takes the forward pass's saved gates; it computes no products with W), and only the
 * recurrent part is carried back: ∂h_{t-1} += ∂gates_t·Whᵀ. Then, as one product each over all
 * steps: ∂Wx = Xᵀ·∂G, ∂Wh = H_prevᵀ·∂G, ∂b = Σ ∂G.
 * LSTMBlockCellGrad's gates are in TensorFlow's ICFO order (lstm_ops.cc registers the cell ops
 * with ICFO); BlockLSTMV2 and Keras use IFCO, so the gate blocks c and f swap (an involution).
 */
function addWeightGradsOnly(
  g: GraphBuilder,
  layer: HeadForward['layers'][number],
  vars: string[],
  dh: string,
  steps: number,
): string[] {
  const { x, w, peep, block, zeros, inDim, units } = layer;
  const [, recurrent, bias] = vars;
  const unpack = (value: string): string[] => {
    const node = g.op('Unpack', [value], { T: F, num: { i: steps }, axis: { i: 0 } });
    return Array.from({ length: steps }, (_, t) => `${node}:${t}`);
  };
  const flat = (values: string[], width: number): string =>
    g.op(
      'Reshape',
      [g.op('Pack', values, { T: F, N: { i: values.length }, axis: { i: 0 } }), g.intConst([-1, width])],
      {
        T: F,
        Tshape: INT,
      },
    );
  const xs = unpack(x);
  const [is, css, fs, os, cis, cos, hs] = Array.from({ length: 7 }, (_, k) => unpack(`${block}:${k}`));
  const upstream = unpack(dh);
  // Columns [i c f o] ↔ [i f c o] of a [., 4H] matrix.
  const swap = [0, 2, 1, 3].flatMap((gate) => Array.from({ length: units }, (_, j) => gate * units + j));
  const permute = (m: string): string =>
    g.op('GatherV2', [m, g.intConst(swap), g.intConst(1)], {
      Tparams: F,
      Tindices: INT,
      Taxis: INT,
      batch_dims: { i: 0 },
    });
  const recurrentIcfo = permute(recurrent);
  const gates: string[] = new Array(steps);
  let csGrad = g.op('ZerosLike', [css[0]], { T: F });
  let hGrad = upstream[steps - 1];
  for (let t = steps - 1; t >= 0; t--) {
    const csPrev = t > 0 ? css[t - 1] : zeros;
    const hPrev = t > 0 ? hs[t - 1] : zeros;
    const cell = g.op(
      'LSTMBlockCellGrad',
      [
        xs[t],
        csPrev,
        hPrev,
        w,
        peep,
        peep,
        peep,
        bias,
        is[t],
        css[t],
        fs[t],
        os[t],
        cis[t],
        cos[t],
        csGrad,
        hGrad,
      ],
      { T: F, use_peephole: NO_PEEPHOLE },
    );
    gates[t] = `${cell}:1`;
    if (t === 0) break;
    csGrad = `${cell}:0`;
    hGrad = g.op('AddV2', [upstream[t - 1], matMul(g, gates[t], recurrentIcfo, false, true)], { T: F });
  }
  const dGates = permute(flat(gates, 4 * units));
  const hPrevAll = flat([zeros, ...hs.slice(0, steps - 1)], units);
  return [
    matMul(g, g.op('Reshape', [x, g.intConst([-1, inDim])], { T: F, Tshape: INT }), dGates, true),
    matMul(g, hPrevAll, dGates, true),
    sumOver(g, dGates, 0),
  ];
}
