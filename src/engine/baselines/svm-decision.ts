/**
 * libsvm's one-vs-one decision values, recomputed from a trained model as libsvm saves it
 * (`serializeModel`, the svm_save_model text), because libsvm-js exposes only the final vote. The
 * vote over these values is the SVM's prediction; storing the values lets anyone re-derive every
 * stored label (Platt probabilities are stored too, but their argmax is not libsvm's decision).
 */

export interface SvmModelText {
  gamma: number;
  labels: number[];
  rho: number[];
  nrSv: number[];
  /** coef[m][sv]: m-th dual coefficient row (nr_class − 1 rows). */
  coef: number[][];
  sv: number[][];
}

/** Parses the text of an RBF C-SVC model (dense features, 1-based indices). */
export function parseSvmModel(text: string, dim: number): SvmModelText {
  const lines = text.split('\n');
  const header = new Map<string, string[]>();
  let i = 0;
  for (; i < lines.length && lines[i].trim() !== 'SV'; i++) {
    const [key, ...rest] = lines[i].trim().split(/\s+/);
    header.set(key, rest);
  }
  const nums = (key: string) => (header.get(key) ?? []).map(Number);
  if (header.get('kernel_type')?.[0] !== 'rbf') throw new Error('parseSvmModel: only RBF models');
  const k = nums('nr_class')[0];
  const coef: number[][] = Array.from({ length: k - 1 }, () => []);
  const sv: number[][] = [];
  for (i++; i < lines.length; i++) {
    const parts = lines[i].trim().split(/\s+/).filter(Boolean);
    if (parts.length === 0) continue;
    for (let m = 0; m < k - 1; m++) coef[m].push(Number(parts[m]));
    const v = new Array<number>(dim).fill(0);
    for (const p of parts.slice(k - 1)) {
      const [idx, val] = p.split(':');
      v[Number(idx) - 1] = Number(val);
    }
    sv.push(v);
  }
  return { gamma: nums('gamma')[0], labels: nums('label'), rho: nums('rho'), nrSv: nums('nr_sv'), coef, sv };
}

/**
 * Decision value of every class pair (i < j in the model's label order) for `x`, and the
 * one-vs-one vote libsvm takes from them: value > 0 votes for label i, else for label j; the most
 * votes win, the first in label order on ties (svm_predict_values).
 */
export function svmDecision(
  model: SvmModelText,
  x: ArrayLike<number>,
): { pairs: { a: number; b: number; value: number }[]; predicted: number } {
  const kv = model.sv.map((s) => {
    let d = 0;
    for (let f = 0; f < s.length; f++) d += (x[f] - s[f]) ** 2;
    return Math.exp(-model.gamma * d);
  });
  const k = model.labels.length;
  const start = model.nrSv.map((_, c) => model.nrSv.slice(0, c).reduce((a, b) => a + b, 0));
  const votes = new Array<number>(k).fill(0);
  const pairs: { a: number; b: number; value: number }[] = [];
  let p = 0;
  for (let i = 0; i < k; i++) {
    for (let j = i + 1; j < k; j++, p++) {
      let sum = 0;
      for (let s = 0; s < model.nrSv[i]; s++) sum += model.coef[j - 1][start[i] + s] * kv[start[i] + s];
      for (let s = 0; s < model.nrSv[j]; s++) sum += model.coef[i][start[j] + s] * kv[start[j] + s];
      sum -= model.rho[p];
      pairs.push({ a: model.labels[i], b: model.labels[j], value: sum });
      votes[sum > 0 ? i : j]++;
    }
  }
  let best = 0;
  for (let c = 1; c < k; c++) if (votes[c] > votes[best]) best = c;
  return { pairs, predicted: model.labels[best] };
}

/** The class a set of stored pair decisions votes for (the same rule as svmDecision). */
export function voteOf(
  pairs: readonly { a: number; b: number; value: number }[],
  labelOrder: readonly number[],
): number {
  const votes = new Map(labelOrder.map((l) => [l, 0]));
  for (const p of pairs) {
    const w = p.value > 0 ? p.a : p.b;
    votes.set(w, (votes.get(w) ?? 0) + 1);
  }
  let best = labelOrder[0];
  for (const l of labelOrder) if (votes.get(l)! > votes.get(best)!) best = l;
  return best;
}
