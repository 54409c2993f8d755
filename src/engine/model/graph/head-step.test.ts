/**
 * The frozen head's compiled training step (one TensorFlow session run) against the eager step it
 * replaces: the same loss, correct predictions, weights, Adam moments and bias corrections after several
 * steps, with padded batches of mixed lengths, class weights (one of them zero) and a last batch
 * of another size; and eager and compiled steps interleave on one optimiser.
 */
import { describe, expect, it } from 'vitest';
import { nativeForTests, relDiff } from '../../backend/testing';
import { tf, useBackend } from '../../backend/tf';
import { trainBatch } from '../../train/train-fold';
import { ResidentSteps } from '../resident-steps';
import { YamnetLstm, type Sample } from '../ser-model';
import { HeadGraphStep } from './head-step';

const native = nativeForTests('compiled head step');
const DIM = 48;
const CLASSES = 4;

function samples(counts: number[]): Sample[] {
  let seed = 7;
  return counts.map((steps, i) => {
    const data = new Float32Array(steps * DIM);
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

/** `plan[k]`: whether step k runs compiled; each step trains on one batch of `batches`. */
function train(batches: Sample[][], all: Sample[], plan: boolean[]): Trained {
  const model = new YamnetLstm([DIM], { lstmUnits: [16, 12], numClasses: CLASSES }, 3);
  const optimizer = tf.train.adam(3e-3);
  const resident = ResidentSteps.create(all, DIM)!;
  const compiled = HeadGraphStep.forModel(model, optimizer, resident);
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

function expectSame(a: Trained, b: Trained): void {
  a.losses.forEach((l, i) => expect(l).toBeCloseTo(b.losses[i], 4));
  expect(a.correct).toEqual(b.correct);
  a.weights.forEach((w, i) => expect(relDiff(w, b.weights[i])).toBeLessThan(1e-4));
  expect(a.moments.length).toBe(b.moments.length);
  a.moments.forEach((m, i) => expect(relDiff(m, b.moments[i])).toBeLessThan(1e-3));
  a.corrections.forEach((c, i) => expect(c).toBeCloseTo(b.corrections[i], 6));
}

describe.runIf(native.run)('compiled head step', () => {
  const all = samples([3, 1, 7, 5, 2, 7, 4, 6, 1, 3, 5, 2, 6, 7]);
  // Padded batches of mixed lengths; the last is smaller, as an epoch's last batch.
  const batches = [all.slice(0, 6), all.slice(6, 12), all.slice(2, 8), all.slice(12)];

  it('matches the eager step: loss, correct predictions, weights and Adam state after four steps', async () => {
    await useBackend('tensorflow');
    const eager = train(batches, all, [false, false, false, false]);
    const compiled = train(batches, all, [true, true, true, true]);
    expectSame(compiled, eager);
    // The steps trained: weights moved and the loss of the repeated utterances changed.
    expect(eager.corrections[2]).toBe(4);
  });

  it('interleaves with eager steps on one optimiser (what a resumed or mixed fold does)', async () => {
    await useBackend('tensorflow');
    const eager = train(batches, all, [false, false, false, false]);
    const mixed = train(batches, all, [true, false, true, false]);
    const mixedOther = train(batches, all, [false, true, false, true]);
    expectSame(mixed, eager);
    expectSame(mixedOther, eager);
  });

  it('is not used where it does not apply', async () => {
    await useBackend('tensorflow');
    const model = new YamnetLstm([DIM], { lstmUnits: [8], numClasses: CLASSES }, 1);
    const resident = ResidentSteps.create(all, DIM);
    expect(HeadGraphStep.forModel(model, tf.train.sgd(0.1), resident)).toBeNull();
    expect(HeadGraphStep.forModel(model, tf.train.adam(0.1), null)).toBeNull();
    const saved = process.env.SER_GRAPH_STEP;
    process.env.SER_GRAPH_STEP = '0';
    try {
      expect(HeadGraphStep.forModel(model, tf.train.adam(0.1), resident)).toBeNull();
    } finally {
      if (saved === undefined) delete process.env.SER_GRAPH_STEP;
      else process.env.SER_GRAPH_STEP = saved;
    }
    resident?.dispose();
    model.dispose();
  });
});
