/**
 * Steps held on the backend (ResidentSteps) give the same forward pass and gradients as steps
 * uploaded per batch, for the head alone (frozen) and through trainable YAMNet blocks; padding
 * slots read the zero row; the store declines where it does not apply (budget, other backends).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { nativeForTests, relDiff } from '../backend/testing';
import { tf, useBackend } from '../backend/tf';
import { buildYamnet } from '../yamnet/model';
import { ResidentSteps } from './resident-steps';
import { YamnetLstm, type Sample } from './ser-model';

const native = nativeForTests('resident steps');

function samples(stepShape: number[], counts: number[]): Sample[] {
  const size = stepShape.reduce((a, b) => a * b, 1);
  let seed = 1;
  return counts.map((steps, i) => {
    const data = new Float32Array(steps * size);
    for (let j = 0; j < data.length; j++)
      data[j] = ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
    return { id: `u${i}`, label: i % 3, steps, data };
  });
}

function lossAndGrads(model: YamnetLstm, batch: Sample[], resident: ResidentSteps | null): Float32Array[] {
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => {
      const out = model.forward(batch, true, resident);
      return tf.sum(tf.square(out.logits)).add(tf.sum(out.activation));
    }, model.variables);
    return [value, ...model.variables.map((v) => grads[v.name])].map((t) => t.dataSync() as Float32Array);
  });
}

const saved = process.env.SER_RESIDENT_MB;
afterEach(() => {
  if (saved === undefined) delete process.env.SER_RESIDENT_MB;
  else process.env.SER_RESIDENT_MB = saved;
});

describe.runIf(native.run)('ResidentSteps', () => {
  it('gives the uploaded batches’ results, head alone and through YAMNet blocks', async () => {
    await useBackend('tensorflow');
    for (const [stepShape, backbone] of [
      [[16], null],
      [[3, 2, 1024], buildYamnet({ from: 14 })],
    ] as const) {
      const all = samples([...stepShape], [3, 1, 4, 2, 3]);
      const model = new YamnetLstm([...stepShape], { lstmUnits: [5], numClasses: 3 }, 2, backbone);
      const resident = ResidentSteps.create(
        all,
        model.stepShape.reduce((a, b) => a * b, 1),
      )!;
      expect(resident).not.toBeNull();
      const batch = [all[4], all[1], all[2]]; // uneven lengths: padded slots
      expect(resident.holds(batch)).toBe(true);
      const expected = lossAndGrads(model, batch, null);
      const got = lossAndGrads(model, batch, resident);
      expected.forEach((e, i) => expect(relDiff(got[i], e)).toBeLessThan(1e-5));
      resident.dispose();
      model.dispose();
    }
  });

  it('declines over the memory budget and on other backends', async () => {
    await useBackend('tensorflow');
    const all = samples([1024], [4, 4]);
    process.env.SER_RESIDENT_MB = '0.01';
    expect(ResidentSteps.create(all, 1024)).toBeNull();
    delete process.env.SER_RESIDENT_MB;
    await useBackend('cpu');
    expect(ResidentSteps.create(all, 1024)).toBeNull();
    await useBackend('tensorflow');
  });
});
