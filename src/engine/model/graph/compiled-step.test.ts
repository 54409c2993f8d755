/**
 * The compiled training step (one TensorFlow session run) against the eager step it replaces: the
 * same loss, correct predictions, weights, Adam moments and bias corrections after several steps,
 * with padded batches of mixed lengths, class weights (one of them zero) and a last batch of
 * another size; eager and compiled steps interleave on one optimiser. For the frozen head, for
 * trainable YAMNet blocks 12..14 under the head (stride-1 and stride-2 depthwise blocks, whose
 * input gradients flow from block to block), and for all of YAMNet (block 1's convolution).
 */
import { describe, expect, it } from 'vitest';
import { nativeForTests, relDiff } from '../../backend/testing';
import { tf, useBackend } from '../../backend/tf';
import { trainBatch } from '../../train/train-fold';
import { blockInputShape } from '../../yamnet/layers';
import { buildYamnet, modelInputShape } from '../../yamnet/model';
import { ResidentSteps } from '../resident-steps';
import { YamnetLstm, type Sample } from '../ser-model';
import { seededRandomWeights } from '../steps';
import { CompiledStep } from './compiled-step';

const native = nativeForTests('compiled training step');
const CLASSES = 4;

function samples(counts: number[], stepSize: number): Sample[] {
  let seed = 7;
  return counts.map((steps, i) => {
    const data = new Float32Array(steps * stepSize);
    for (let j = 0; j < data.length; j++)
      data[j] = ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
    return { id: `u${i}`, label: (i * 5) % CLASSES, steps, data };
  });
}

interface Trained {
  losses: number[];
  correct: number[];
  weights: Float32Array[];
  moments: Float32Array[];
  corrections: number[];
}

/** A model with the head alone (`from` null) or YAMNet blocks `from`..14 under it. */
function makeModel(from: number | null, dim: number, lstmUnits = [16, 12]): YamnetLstm {
  const head = { lstmUnits, numClasses: CLASSES };
  if (from === null) return new YamnetLstm([dim], head, 3);
  const backbone = buildYamnet({ from, weights: seededRandomWeights(5) });
  return new YamnetLstm(modelInputShape(from), head, 3, backbone);
}

/** `plan[k]`: whether step k runs compiled; each step trains on one batch of `batches`. */
function train(
  from: number | null,
  dim: number,
  batches: Sample[][],
  all: Sample[],
  plan: boolean[],
  lstmUnits?: number[],
): Trained {
  const model = makeModel(from, dim, lstmUnits);
  const optimizer = tf.train.adam(3e-3);
  const resident = ResidentSteps.create(all, dim)!;
  const compiled = CompiledStep.forModel(model, optimizer, resident);
  expect(compiled).not.toBeNull();
  const classWeights = [1.5, 0.5, 0, 2];
  const losses: number[] = [];
  const correct: number[] = [];
  plan.forEach((useGraph, k) => {
    const r = trainBatch(
      model,
      optimizer,
      batches[k],
      classWeights,
      CLASSES,
      resident,
      useGraph ? compiled : null,
    );
    losses.push(r.loss.dataSync()[0]);
    correct.push(r.correct.dataSync()[0]);
    tf.dispose([r.loss, r.correct]);
  });
  const adam = optimizer as unknown as {
    accumulatedFirstMoment: { variable: tf.Variable }[];
    accumulatedSecondMoment: { variable: tf.Variable }[];
    accBeta1: tf.Variable;
    accBeta2: tf.Variable;
    iterations: number;
  };
  const out: Trained = {
    losses,
    correct,
    weights: model.variables.map((v) => v.dataSync() as Float32Array),
    moments: [...adam.accumulatedFirstMoment, ...adam.accumulatedSecondMoment].map(
      (m) => m.variable.dataSync() as Float32Array,
    ),
    corrections: [adam.accBeta1.dataSync()[0], adam.accBeta2.dataSync()[0], adam.iterations],
  };
  compiled!.dispose();
  optimizer.dispose();
  resident.dispose();
  model.dispose();
  return out;
}

/**
 * Moments are running means of the gradients, so they check the gradients (measured: within 6e-6
 * relative). Weights move by Adam's m/√v, which maps a gradient's rounding to a much larger change
 * where the gradient is near zero: under YAMNet blocks the weights agree within 2.4e-4 of their
 * scale (6.1e-4 under all of YAMNet after one step; 1e-7 to 3e-7 for the head alone).
 */
function expectSame(a: Trained, b: Trained, weightTolerance: number, initial?: Float32Array[]): void {
  a.losses.forEach((l, i) => expect(l).toBeCloseTo(b.losses[i], 4));
  expect(a.correct).toEqual(b.correct);
  a.weights.forEach((w, i) =>
    expect(relDiff(w, b.weights[i]), `variable ${i}`).toBeLessThan(weightTolerance),
  );
  expect(a.moments.length).toBe(b.moments.length);
  a.moments.forEach((m, i) => expect(relDiff(m, b.moments[i]), `moment ${i}`).toBeLessThan(5e-5));
  a.corrections.forEach((c, i) => expect(c).toBeCloseTo(b.corrections[i], 6));
  // Every variable trained (so the comparison covers each gradient, not just unchanged values).
  initial?.forEach((w, i) => expect(relDiff(a.weights[i], w), `variable ${i} moved`).toBeGreaterThan(1e-6));
}

const cases = [
  { name: 'the frozen head', from: null, dim: 48, tolerance: 1e-4 },
  // One step: fourteen randomly initialised blocks are chaotic over several Adam steps (measured: a
  // 1e-6 relative nudge of the inputs moves the eager path's own moments by 1e-2 to 1e-1 after four
  // steps, where one step's gradients agree with the compiled step's within 8e-6).
  {
    name: 'all of YAMNet under the head (full fine-tuning)',
    from: 1,
    dim: 96 * 64,
    tolerance: 1e-3,
    steps: 1,
  },
  {
    name: 'YAMNet blocks 12-14 under the head',
    from: 12,
    dim: blockInputShape(12).reduce((a, b) => a * b, 1),
    tolerance: 1e-3,
  },
];

describe.runIf(native.run)('compiled training step', () => {
  for (const { name, from, dim, tolerance, steps = 4 } of cases) {
    describe(name, () => {
      const all = samples([3, 1, 7, 5, 2, 7, 4, 6, 1, 3, 5, 2, 6, 7], dim);
      // Padded batches of mixed lengths; the last is smaller, as an epoch's last batch.
      const batches = [all.slice(0, 6), all.slice(6, 12), all.slice(2, 8), all.slice(12)];

      it(`matches the eager step: loss, correct predictions, weights and Adam state after ${steps} step(s)`, async () => {
        await useBackend('tensorflow');
        const start = makeModel(from, dim);
        const initial = start.variables.map((v) => v.dataSync().slice() as Float32Array);
        start.dispose();
        const eager = train(from, dim, batches, all, new Array(steps).fill(false));
        const compiled = train(from, dim, batches, all, new Array(steps).fill(true));
        expectSame(compiled, eager, tolerance, initial);
        expect(eager.corrections[2]).toBe(steps);
      });

      // Several steps only where they stay comparable (see the full case above).
      if (steps > 1)
        it('interleaves with eager steps on one optimiser (what a resumed or mixed fold does)', async () => {
          await useBackend('tensorflow');
          const eager = train(from, dim, batches, all, [false, false, false, false]);
          expectSame(train(from, dim, batches, all, [true, false, true, false]), eager, tolerance);
          expectSame(train(from, dim, batches, all, [false, true, false, true]), eager, tolerance);
        });
    });
  }

  it('matches the eager step for a one-layer head (its only layer takes the weight-only gradient)', async () => {
    await useBackend('tensorflow');
    const all = samples([3, 1, 7, 5, 2, 7, 4, 6], 48);
    const batches = [all.slice(0, 5), all.slice(3)];
    const eager = train(null, 48, batches, all, [false, false], [10]);
    expectSame(train(null, 48, batches, all, [true, true], [10]), eager, 1e-4);
  });

  it('is not used where it does not apply', async () => {
    await useBackend('tensorflow');
    const all = samples([3, 1, 7], 48);
    const model = new YamnetLstm([48], { lstmUnits: [8], numClasses: CLASSES }, 1);
    const resident = ResidentSteps.create(all, 48);
    expect(CompiledStep.forModel(model, tf.train.sgd(0.1), resident)).toBeNull();
    expect(CompiledStep.forModel(model, tf.train.adam(0.1), null)).toBeNull();
    const saved = process.env.SER_GRAPH_STEP;
    process.env.SER_GRAPH_STEP = '0';
    try {
      expect(CompiledStep.forModel(model, tf.train.adam(0.1), resident)).toBeNull();
    } finally {
      if (saved === undefined) delete process.env.SER_GRAPH_STEP;
      else process.env.SER_GRAPH_STEP = saved;
    }
    resident?.dispose();
    model.dispose();
  });
});
