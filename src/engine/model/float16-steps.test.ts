/**
 * The float16 activation sets (block outputs of trainFrom runs) stay float16 in memory: the steps
 * a run holds take half the bytes of float32, and training on them (decoded per batch, on the
 * resident and on the per-batch upload paths) gives bit-for-bit the weights that training on the
 * same values held as float32 gives.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { nativeForTests } from '../backend/testing';
import { useBackend } from '../backend/tf';
import { trainFold } from '../train/train-fold';
import { mulberry32 } from '../util/random';
import { fromFloat16, toFloat16 } from './float16';
import type { NamedWeights } from './lstm-head';
import { copyStepValues, type Sample } from './sample';
import { YamnetLstm } from './ser-model';
import { loadTestYamnet, missingRealData, realBatch } from './testing/real-batch';

const native = nativeForTests('float16 steps');
const missing = missingRealData();
if (missing) process.stderr.write(`[float16 steps] skipping real-batch tests: ${missing}\n`);
const itData = missing ? it.skip : it;

let tmp: string;
const savedHome = process.env.SER_WORKBENCH_HOME;
const savedResident = process.env.SER_RESIDENT_MB;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-f16-'));
  process.env.SER_WORKBENCH_HOME = path.join(tmp, 'home');
});

afterEach(() => {
  if (savedResident === undefined) delete process.env.SER_RESIDENT_MB;
  else process.env.SER_RESIDENT_MB = savedResident;
});

afterAll(() => {
  if (savedHome === undefined) delete process.env.SER_WORKBENCH_HOME;
  else process.env.SER_WORKBENCH_HOME = savedHome;
  fs.rmSync(tmp, { recursive: true, force: true });
});

const bytesHeld = (samples: Sample[]) => samples.reduce((n, s) => n + s.data.byteLength, 0);

function sameWeights(a: NamedWeights, b: NamedWeights): string[] {
  return Object.keys(a).filter((k) => !Buffer.from(a[k].data.buffer).equals(Buffer.from(b[k].data.buffer)));
}

describe('float16 steps in memory', () => {
  it('decode per batch equals decoding the whole array, within half precision of the float32 values', () => {
    const rand = mulberry32(3);
    const x = Float32Array.from({ length: 5000 }, () => (rand() - 0.2) * 40);
    const h = toFloat16(x);
    const out = new Float32Array(7000).fill(-1);
    copyStepValues(h, 4000, out, 1000);
    expect(Array.from(out.subarray(1000, 5000))).toEqual(Array.from(fromFloat16(h).subarray(0, 4000)));
    expect(out[999]).toBe(-1);
    expect(out[5000]).toBe(-1);
    for (let i = 0; i < 4000; i++)
      expect(Math.abs(out[1000 + i] - x[i])).toBeLessThanOrEqual(Math.abs(x[i]) / 2048 + 6e-8);
  });

  itData(
    'trainFrom 13: the held block outputs take half the bytes, and train to the same weights as float32',
    async () => {
      await useBackend(native.run ? 'tensorflow' : 'wasm');
      const setup = await loadTestYamnet();
      // First read computes and caches (then reads the entries back); the second reads the cache.
      const computed = await realBatch(setup, 13, 8, tmp);
      const cached = await realBatch(setup, 13, 8, tmp);
      const stepSize = computed.stepShape.reduce((a, b) => a * b, 1);
      const values = computed.samples.reduce((n, s) => n + s.steps * stepSize, 0);
      for (const batch of [computed, cached]) {
        expect(batch.samples.every((s) => s.data instanceof Uint16Array)).toBe(true);
        expect(bytesHeld(batch.samples)).toBe(2 * values);
      }
      // The same values held as float32, as every run held them before.
      const asFloat32 = cached.samples.map((s) => ({ ...s, data: fromFloat16(s.data as Uint16Array) }));
      expect(bytesHeld(asFloat32)).toBe(4 * values);
      process.stderr.write(
        `[float16 steps] trainFrom 13, ${computed.patches} patches: ${bytesHeld(cached.samples)} bytes held as float16, ${bytesHeld(asFloat32)} as float32\n`,
      );

      const train = async (samples: Sample[]) => {
        const net = new YamnetLstm(
          computed.stepShape,
          { lstmUnits: [16], numClasses: 4 },
          7,
          setup.model.build({ from: 13 }),
        );
        await trainFold(
          net,
          { train: samples, validation: samples.slice(0, 2) },
          { batchSize: 4, classWeights: false, seed: 5, numClasses: 4, epochs: 2, learningRate: 1e-3 },
        );
        const w = net.getWeights();
        net.dispose();
        return w;
      };
      // Steps on the backend (native: one resident table) and uploaded per batch (no budget).
      for (const residentMb of native.run ? ['768', '0'] : ['0']) {
        process.env.SER_RESIDENT_MB = residentMb;
        const fromHalf = await train(cached.samples);
        const fromFloat = await train(asFloat32);
        expect(sameWeights(fromHalf, fromFloat), `SER_RESIDENT_MB=${residentMb}`).toEqual([]);
      }
      setup.model.dispose();
    },
    300_000,
  );
});
