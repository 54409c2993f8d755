import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../util/random';
import { loadLibSvm } from './svm';
import { parseSvmModel, svmDecision, voteOf } from './svm-decision';

describe('SVM decision values recomputed from the saved model', () => {
  it('vote exactly as libsvm predicts, on three classes with close calls', async () => {
    const SVM = await loadLibSvm();
    const rand = mulberry32(9);
    const x: number[][] = [];
    const y: number[] = [];
    // Classes given out of order (2, 0, 1) so libsvm's label order is not the index order.
    for (const c of [2, 0, 1])
      for (let i = 0; i < 25; i++) {
        x.push([c + 1.2 * (rand() - 0.5) * 2, 1.5 * (rand() - 0.5), rand()]);
        y.push(c);
      }
    const svm = new SVM({
      type: SVM.SVM_TYPES.C_SVC,
      kernel: SVM.KERNEL_TYPES.RBF,
      cost: 1,
      gamma: 0.7,
      quiet: true,
    });
    try {
      svm.train(x, y);
      const model = parseSvmModel(svm.serializeModel(), 3);
      expect(model.labels).toEqual([2, 0, 1]);
      const test = Array.from({ length: 200 }, () => [3 * rand() - 0.5, rand() - 0.5, rand()]);
      for (const v of test) {
        const d = svmDecision(model, v);
        expect(d.predicted).toBe(svm.predictOne(v));
        expect(voteOf(d.pairs, model.labels)).toBe(d.predicted);
      }
    } finally {
      svm.free();
    }
  });
});
