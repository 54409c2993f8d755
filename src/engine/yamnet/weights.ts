/**
 * YAMNet weights in one canonical, format-independent form: plain Float32Arrays keyed by the
 * tfjs-layers weight they fill. Both file formats are translated into this form (see
 * graph-format.ts and keras-h5.ts), so the model code never knows where weights came from.
 *
 * Batch norm is folded: every conv / depthwise conv / pointwise conv carries `kernel` + `bias`,
 * where `bias` is the BN offset. This is the TF Hub graph's own parameterisation, and it computes
 * exactly what Keras' conv → BN(inference) computes (keras-h5.ts gives the maths).
 *
 * Names (N = 2..14):
 *   layer1/conv/kernel [3,3,1,32]                    layer1/conv/bias [32]
 *   layerN/depthwise_conv/depthwise_kernel [3,3,C,1] layerN/depthwise_conv/bias [C]
 *   layerN/pointwise_conv/kernel [1,1,C,F]           layerN/pointwise_conv/bias [F]
 *   logits/kernel [1024,521]                         logits/bias [521]
 */
import { UserError } from '../util/errors';
import { EMBEDDING_SIZE, NUM_CLASSES, YAMNET_LAYERS } from './layers';

export interface WeightTensor {
  shape: number[];
  data: Float32Array;
}

/** Canonical name → values. */
export type YamnetWeights = Map<string, WeightTensor>;

/** tfjs-layers layer names of the model (also the prefixes of the canonical weight names). */
export function blockLayerNames(block: number): string[] {
  return block === 1 ? ['layer1/conv'] : [`layer${block}/depthwise_conv`, `layer${block}/pointwise_conv`];
}

export const LOGITS_LAYER = 'logits';

/** Every canonical weight with its expected shape, in model order. */
export function expectedWeights(): { name: string; shape: number[] }[] {
  const out: { name: string; shape: number[] }[] = [];
  for (const l of YAMNET_LAYERS) {
    const c = l.inputShape[2];
    if (l.type === 'conv') {
      out.push({ name: `${l.name}/conv/kernel`, shape: [3, 3, c, l.filters] });
      out.push({ name: `${l.name}/conv/bias`, shape: [l.filters] });
    } else {
      out.push({ name: `${l.name}/depthwise_conv/depthwise_kernel`, shape: [3, 3, c, 1] });
      out.push({ name: `${l.name}/depthwise_conv/bias`, shape: [c] });
      out.push({ name: `${l.name}/pointwise_conv/kernel`, shape: [1, 1, c, l.filters] });
      out.push({ name: `${l.name}/pointwise_conv/bias`, shape: [l.filters] });
    }
  }
  out.push({ name: `${LOGITS_LAYER}/kernel`, shape: [EMBEDDING_SIZE, NUM_CLASSES] });
  out.push({ name: `${LOGITS_LAYER}/bias`, shape: [NUM_CLASSES] });
  return out;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export function formatShape(shape: readonly number[]): string {
  return shape.length ? `[${shape.join(',')}]` : 'scalar';
}

/**
 * Throws a UserError naming the first missing or misshapen tensor (with its file-format name when
 * a translation is given), so a broken weights file says exactly what is wrong with it.
 */
export function checkWeights(
  weights: YamnetWeights,
  where: string,
  sourceName: (canonical: string) => string = (n) => n,
): void {
  const problems: string[] = [];
  for (const { name, shape } of expectedWeights()) {
    const w = weights.get(name);
    if (!w) problems.push(`tensor '${sourceName(name)}' is missing (expected shape ${formatShape(shape)})`);
    else if (!sameShape(w.shape, shape))
      problems.push(
        `tensor '${sourceName(name)}' has shape ${formatShape(w.shape)}, expected ${formatShape(shape)}`,
      );
    else if (w.data.length !== shape.reduce((a, b) => a * b, 1))
      problems.push(
        `tensor '${sourceName(name)}' holds ${w.data.length} values, expected ${formatShape(shape)}`,
      );
  }
  if (problems.length) {
    const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : '';
    throw new UserError(`${where}: not usable YAMNet weights: ${problems.slice(0, 5).join('; ')}${more}`);
  }
}

/** Total values in a weight set (3,729,481 for a complete YAMNet). */
export function countValues(weights: YamnetWeights): number {
  let n = 0;
  for (const w of weights.values()) n += w.data.length;
  return n;
}
