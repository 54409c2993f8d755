/**
 * A whole training step as one TensorFlow graph: gather the batch from the fold's resident steps,
 * the trainable YAMNet blocks with pooling (trainFrom K, full) or none (frozen), the LSTM head, the
 * weighted softmax cross-entropy, every gradient written out by hand, and tfjs' Adam update, in
 * one session run instead of hundreds of eager ops. Written as a SavedModel in a fresh temporary
 * folder (graph-def.ts) for `CompiledStep` to load.
 *
 * Inputs (fed by name, in `StepGraph.inputs` order):
 * - `table` [rows + 1, stepSize]: the fold's resident steps (ResidentSteps), last row zeros;
 * - head only: `rows` [T, B] time-major row indices (padding: the zero row);
 * - with blocks: `realRows` [R] the batch's real steps; `slots` [T, B] each slot's embedding row
 *   (padding: R, a zero row appended); `inverse` [R] each embedding's flat slot t·B + b;
 * - `pick` [T, B, 1], `onehot` [B, C], `weight` [B], `labels` [B], `steps` (T);
 * - `var{i}`, `m{i}`, `v{i}` per variable in the model's order, then `accBeta1`, `accBeta2`.
 * Outputs: `loss`, `predicted`, `correct`, then `new_var{i}`, `new_m{i}`, `new_v{i}`,
 * `new_accBeta1`, `new_accBeta2`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EMBEDDING_SIZE, type YamnetLayer } from '../../yamnet/layers';
import type { HeadSpec } from '../lstm-head';
import { addAdamUpdate, type AdamSettings } from './adam-graph';
import { addBlocksBackward, addBlocksForward, blockVariableCount } from './blocks-graph';
import { DT, GraphBuilder, type Attr } from './graph-def';
import { addHeadBackward, addHeadForward, addHeadLoss, type HeadFeeds } from './head-graph';

export type { AdamSettings } from './adam-graph';

export interface StepGraphSpec {
  head: HeadSpec;
  /** The trainable YAMNet blocks, in order (empty: frozen mode, steps are embeddings). */
  blocks: readonly YamnetLayer[];
  adam: AdamSettings;
  /**
   * T, fixed when the graph is built (frozen head only: its first layer's input gradient is then
   * not computed, head-graph.ts addWeightGradsOnly); unset, one graph serves every T.
   */
  steps?: number;
}

/** A written step graph: its SavedModel folder, the variable count, and its feeds and results. */
export interface StepGraph {
  dir: string;
  variableCount: number;
  /** Input names in feeding order (without `:0`). */
  inputs: string[];
  /** Output names in result order (without `:0`). */
  outputs: string[];
}

const F: Attr = { type: DT.float };
const INT: Attr = { type: DT.int32 };

/** The variables of YAMNet's trained blocks (two or four each: blockVariableCount). */
function blocksVariableCount(blocks: readonly YamnetLayer[]): number {
  return blocks.reduce((n, l) => n + blockVariableCount(l), 0);
}

/** The variable count of a model: its blocks', three per LSTM layer, two for the dense layer. */
export function stepVariableCount(spec: Pick<StepGraphSpec, 'head' | 'blocks'>): number {
  return blocksVariableCount(spec.blocks) + 3 * spec.head.lstmUnits.length + 2;
}

export function writeStepGraph(spec: StepGraphSpec): StepGraph {
  const g = new GraphBuilder();
  const withBlocks = spec.blocks.length > 0;
  const batchInputs = withBlocks ? ['realRows', 'slots', 'inverse'] : ['rows'];
  const inputs = ['table', ...batchInputs, 'pick', 'onehot', 'weight', 'labels', 'steps'];
  const n = stepVariableCount(spec);
  for (const prefix of ['var', 'm', 'v']) for (let i = 0; i < n; i++) inputs.push(`${prefix}${i}`);
  inputs.push('accBeta1', 'accBeta2');
  const node: Record<string, string> = {};
  for (const name of inputs) {
    const integer = ['rows', 'realRows', 'slots', 'inverse', 'labels', 'steps'].includes(name);
    node[name] = g.input(name, integer ? DT.int32 : DT.float);
  }
  const vars = Array.from({ length: n }, (_, i) => node[`var${i}`]);
  const blockVars = vars.slice(0, blocksVariableCount(spec.blocks));
  const headVars = vars.slice(blockVars.length);
  const feeds: HeadFeeds = {
    steps: node.steps,
    pick: node.pick,
    onehot: node.onehot,
    weight: node.weight,
    labels: node.labels,
  };
  const gather = (params: string, indices: string): string =>
    g.op('GatherV2', [params, indices, g.intConst(0)], {
      Tparams: F,
      Tindices: INT,
      Taxis: INT,
      batch_dims: { i: 0 },
    });

  let seq: string;
  let blocks: ReturnType<typeof addBlocksForward> | null = null;
  if (withBlocks) {
    const [h, w, c] = spec.blocks[0].inputShape;
    const x = g.op('Reshape', [gather(node.table, node.realRows), g.intConst([-1, h, w, c])], {
      T: F,
      Tshape: INT,
    });
    blocks = addBlocksForward(g, x, blockVars, spec.blocks);
    const zeroRow = g.floatConst(0, [1, EMBEDDING_SIZE]);
    const padded = g.op('ConcatV2', [blocks.embedding, zeroRow, g.intConst(0)], {
      N: { i: 2 },
      T: F,
      Tidx: INT,
    });
    seq = gather(padded, node.slots);
  } else {
    seq = gather(node.table, node.rows);
  }
  const head = addHeadForward(g, seq, headVars, spec.head, feeds);
  const ce = addHeadLoss(g, head.logits, feeds);
  const { grads: headGrads, dSeq } = addHeadBackward(
    g,
    head,
    ce,
    headVars,
    feeds,
    withBlocks ? undefined : spec.steps,
  );
  let grads = headGrads;
  if (blocks && dSeq) {
    // Each embedding fills exactly one slot, so its gradient is a gather of that slot's gradient.
    const flat = g.op('Reshape', [dSeq, g.intConst([-1, EMBEDDING_SIZE])], { T: F, Tshape: INT });
    grads = [...addBlocksBackward(g, blocks, blockVars, gather(flat, node.inverse)), ...headGrads];
  }
  addAdamUpdate(
    g,
    {
      vars,
      grads,
      ms: Array.from({ length: n }, (_, i) => node[`m${i}`]),
      vs: Array.from({ length: n }, (_, i) => node[`v${i}`]),
      accBeta1: node.accBeta1,
      accBeta2: node.accBeta2,
    },
    spec.adam,
  );
  const outputs = ['loss', 'predicted', 'correct'];
  for (const prefix of ['new_var', 'new_m', 'new_v'])
    for (let i = 0; i < n; i++) outputs.push(`${prefix}${i}`);
  outputs.push('new_accBeta1', 'new_accBeta2');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-step-graph-'));
  g.writeSavedModel(dir);
  return { dir, variableCount: n, inputs, outputs };
}
