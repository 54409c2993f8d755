/**
 * Support vector machine with an RBF kernel: libsvm 3.x compiled to WebAssembly (libsvm-js),
 * C-SVC, one-vs-one for several classes, libsvm's default tolerance 0.001 and shrinking.
 *
 * (C, γ) are chosen on the fold's validation speakers from a small grid: C ∈ {0.1, 1, 10, 100},
 * γ ∈ {0.1, 0.3, 1, 3}/d (d = feature count; on standardised data ‖x − x'‖² ≈ 2d, so γ·d sets the
 * kernel's reach independently of d). The score is the unweighted average recall on validation;
 * ties go to the smaller C, then the smaller γ. The final model is trained on the training
 * speakers only with the chosen pair, plus Platt-scaled probability estimates (libsvm -b 1).
 * The prediction is libsvm's one-vs-one vote over the pairwise decision values, which are stored
 * with it (recomputed from the saved model, ./svm-decision.ts), so every stored label can be
 * re-derived. The Platt probabilities are stored as well but are NOT the decision: their argmax
 * differs on close calls (on the RAVDESS subset for half the MFCC+SVM test predictions), and
 * on small training sets Platt's internal 5-fold fit can make them near-uniform while the vote is
 * right. Without validation data the libsvm defaults C = 1, γ = 1/d are used.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { averageRecall } from './scoring';
import { parseSvmModel, svmDecision } from './svm-decision';
import type { ClassifierResult, SvmChoice } from './types';

/** The part of libsvm-js (which ships no types) used here. */
interface LibSvm {
  train(samples: number[][], labels: number[]): void;
  predictOne(sample: number[]): number;
  predictOneProbability(sample: number[]): {
    prediction: number;
    estimates: { label: number; probability: number }[];
  };
  free(): void;
  serializeModel(): string;
}
interface LibSvmClass {
  new (options: Record<string, unknown>): LibSvm;
  SVM_TYPES: Record<string, string>;
  KERNEL_TYPES: Record<string, string>;
}

/** How an SVM prediction follows from its stored decision values (written beside them). */
export const SVM_DECISION_RULE =
  'libsvm one-vs-one vote: pair (a, b) votes a when its decision value > 0, else b; most votes win, first in labelOrder on ties';

export const SVM_GRID = { C: [0.1, 1, 10, 100], gammaTimesD: [0.1, 0.3, 1, 3] };

const requireCjs = createRequire(import.meta.url);
let shared: Promise<LibSvmClass> | null = null;

/**
 * Loads a new instance of the WASM build. Emscripten first tries
 * WebAssembly.instantiateStreaming(fetch(path)), which Node's fetch cannot do for a file path,
 * and prints two harmless warnings before falling back to reading the file; only those two
 * lines are filtered out, and only while the module loads.
 */
function loadInstance(): Promise<LibSvmClass> {
  for (const key of Object.keys(requireCjs.cache)) {
    if (key.includes(`${path.sep}libsvm-js${path.sep}`)) delete requireCjs.cache[key];
  }
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    const text = String(args[0]);
    if (text.startsWith('wasm streaming compile failed') || text.startsWith('falling back to ArrayBuffer'))
      return;
    warn(...args);
  };
  // Emscripten's Node glue also registers `process.on('unhandledRejection', () => exit(1))`,
  // which would turn any stray rejection in the app into a silent exit and keep every instance
  // alive; the listeners it added are removed again.
  const listeners = new Set(process.listeners('unhandledRejection'));
  try {
    return (requireCjs('libsvm-js/wasm') as Promise<LibSvmClass>).finally(() => {
      console.warn = warn;
    });
  } finally {
    for (const l of process.listeners('unhandledRejection'))
      if (!listeners.has(l)) process.off('unhandledRejection', l);
  }
}

/** The instance used for the grid search (plain C-SVC training draws no random numbers). */
export function loadLibSvm(): Promise<LibSvmClass> {
  shared ??= loadInstance();
  return shared;
}

/**
 * libsvm's probability estimates (Platt scaling) draw internal cross-validation folds from C
 * rand(), whose state lives in the WASM instance and cannot be reseeded through libsvm-js. A new
 * instance (≈10 ms) per probability model makes the probabilities a function of the data alone,
 * so a run is reproducible and one fold's result does not depend on the folds before it.
 */
async function freshLibSvm(): Promise<LibSvmClass> {
  await loadLibSvm();
  return loadInstance();
}

function makeSvm(SVM: LibSvmClass, C: number, gamma: number, probability: boolean): LibSvm {
  return new SVM({
    type: SVM.SVM_TYPES.C_SVC,
    kernel: SVM.KERNEL_TYPES.RBF,
    cost: C,
    gamma,
    probabilityEstimates: probability,
    quiet: true,
  });
}

/** Trains an RBF SVM on `train`, tunes (C, γ) on `validation`, predicts `test`. */
export async function trainPredictSvm(
  train: { x: number[][]; y: number[] },
  validation: { x: number[][]; y: number[] },
  test: number[][],
  opts: { numClasses: number },
): Promise<ClassifierResult & { chosen: SvmChoice }> {
  const SVM = await loadLibSvm();
  const d = train.x[0].length;
  let chosen: SvmChoice = { C: 1, gamma: 1 / d, validationUar: null };
  if (validation.x.length > 0) {
    let bestScore = -1;
    for (const C of SVM_GRID.C) {
      for (const g of SVM_GRID.gammaTimesD) {
        const svm = makeSvm(SVM, C, g / d, false);
        try {
          svm.train(train.x, train.y);
          const score =
            averageRecall(
              validation.y,
              validation.x.map((v) => svm.predictOne(v)),
              opts.numClasses,
            ) ?? 0;
          if (score > bestScore) {
            bestScore = score;
            chosen = { C, gamma: g / d, validationUar: score };
          }
        } finally {
          svm.free();
        }
      }
    }
  }
  // Platt scaling needs examples of at least two classes; with one class libsvm predicts it anyway.
  const svm = makeSvm(await freshLibSvm(), chosen.C, chosen.gamma, new Set(train.y).size > 1);
  try {
    svm.train(train.x, train.y);
    // One training class: libsvm has no probability model and no pairs; it predicts that class.
    if (new Set(train.y).size < 2) {
      const predictions = test.map((v) => svm.predictOne(v));
      const probabilities = predictions.map((c) => {
        const p = new Array<number>(opts.numClasses).fill(0);
        p[c] = 1;
        return p;
      });
      return { predictions, probabilities, chosen };
    }
    const model = parseSvmModel(svm.serializeModel(), d);
    const decisions = test.map((v) => svmDecision(model, v));
    const probabilities = test.map((v) => {
      const p = new Array<number>(opts.numClasses).fill(0);
      for (const e of svm.predictOneProbability(v).estimates) p[e.label] = e.probability;
      return p;
    });
    return {
      predictions: decisions.map((x) => x.predicted),
      probabilities,
      chosen,
      decision: { rule: SVM_DECISION_RULE, labelOrder: model.labels, pairs: decisions.map((x) => x.pairs) },
    };
  } finally {
    svm.free();
  }
}
