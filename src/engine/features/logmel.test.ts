import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeAudio, resample } from '../audio';
import { sharedDir } from '../util/paths';
import { frontEndParams, logMelSpectrogram, patchCount, paddedLength, waveformToPatches } from './logmel';
import { hzToMel, melFilterBank, melMatrixDense } from './mel';
import { periodicHann } from './stft';

const fixturesDir = path.join(sharedDir(), 'fixtures', 'yamnet-frontend');
const cases = fs
  .readdirSync(fixturesDir)
  .filter((c) => fs.existsSync(path.join(fixturesDir, c, 'meta.json')))
  .sort();

interface Meta {
  input_sample_rate: number;
  input_samples: number;
  resampled_samples: number;
  padded_samples: number;
  stft_frames: number;
  patches_shape: [number, number, number];
}

function readReference(dir: string): Float32Array {
  const buf = fs.readFileSync(path.join(dir, 'patches.f32'));
  const out = new Float32Array(buf.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = buf.readFloatLE(i * 4);
  return out;
}

/** Bands whose upper edge is below 7 kHz: the resampler's transition band cannot touch them. */
const bandsBelow7k = melFilterBank(frontEndParams())
  .map((b, i) => ({ i, top: ((b.start + b.weights.length - 1) * 16000) / 512 }))
  .filter((b) => b.top < 7000)
  .map((b) => b.i);

describe('YAMNet log-mel front end against the reference vectors', () => {
  it('has fixture cases to compare with', () => {
    expect(cases.length).toBeGreaterThanOrEqual(6);
  });

  for (const name of cases) {
    it(`matches ${name}`, async () => {
      const dir = path.join(fixturesDir, name);
      const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as Meta;
      const audio = await decodeAudio(path.join(dir, 'input.wav'));
      expect(audio.sampleRate).toBe(meta.input_sample_rate);
      expect(audio.samples.length).toBe(meta.input_samples);
      const x16 = await resample(audio.samples, audio.sampleRate, 16000);
      expect(x16.length).toBe(meta.resampled_samples);
      expect(paddedLength(x16.length)).toBe(meta.padded_samples);
      expect(patchCount(x16.length)).toBe(meta.patches_shape[0]);

      const patches = waveformToPatches(x16);
      expect([patches.numPatches, patches.frames, patches.bands]).toEqual(meta.patches_shape);
      const ref = readReference(dir);
      expect(patches.data.length).toBe(ref.length);

      if (meta.input_sample_rate === 16000) {
        let maxDiff = 0;
        for (let i = 0; i < ref.length; i++) maxDiff = Math.max(maxDiff, Math.abs(patches.data[i] - ref[i]));
        expect(maxDiff).toBeLessThanOrEqual(1e-3);
      } else {
        let sum = 0;
        let count = 0;
        for (let i = 0; i < ref.length; i += 64)
          for (const b of bandsBelow7k) {
            sum += Math.abs(patches.data[i + b] - ref[i + b]);
            count++;
          }
        expect(sum / count).toBeLessThanOrEqual(0.05);
      }
    });
  }

  it('meets the resampled-case tolerance with libsamplerate best quality too', async () => {
    const dir = path.join(
      fixturesDir,
      cases.find((c) => c.startsWith('ravdess'))!,
    );
    const audio = await decodeAudio(path.join(dir, 'input.wav'));
    const x16 = await resample(audio.samples, audio.sampleRate, 16000, 'sinc-best');
    const patches = waveformToPatches(x16);
    const ref = readReference(dir);
    expect(patches.data.length).toBe(ref.length);
    let sum = 0;
    let count = 0;
    for (let i = 0; i < ref.length; i += 64)
      for (const b of bandsBelow7k) {
        sum += Math.abs(patches.data[i + b] - ref[i + b]);
        count++;
      }
    expect(sum / count).toBeLessThanOrEqual(0.05);
  });
});

describe('front-end building blocks', () => {
  it('periodic Hann is DFT-even: w[0] = 0, w[N/2] = 1, symmetric about N/2', () => {
    const w = periodicHann(400);
    expect(w[0]).toBe(0);
    expect(w[200]).toBeCloseTo(1, 7);
    for (let n = 1; n < 200; n++) expect(w[n]).toBeCloseTo(w[400 - n], 6);
  });

  it('mel bank: 64 triangles inside 125–7500 Hz, DC unweighted, peaks ≤ 1', () => {
    const p = frontEndParams();
    const dense = melMatrixDense(p);
    for (let b = 0; b < 64; b++) expect(dense[b]).toBe(0);
    const bank = melFilterBank(p);
    expect(bank).toHaveLength(64);
    for (const band of bank) {
      expect(band.weights.length).toBeGreaterThan(0);
      expect(Math.max(...band.weights)).toBeLessThanOrEqual(1);
      const lowHz = (band.start * 16000) / 512;
      const highHz = ((band.start + band.weights.length - 1) * 16000) / 512;
      expect(lowHz).toBeGreaterThan(125);
      expect(highHz).toBeLessThan(7500);
    }
    expect(hzToMel(700)).toBeCloseTo(1127 * Math.log(2), 9);
  });

  it('a pure tone lights up the band whose centre is nearest', () => {
    const x = new Float32Array(16000).map((_, n) => 0.5 * Math.sin((2 * Math.PI * 1000 * n) / 16000));
    const spec = logMelSpectrogram(x);
    const row = spec.data.subarray(50 * 64, 51 * 64);
    const peak = row.indexOf(Math.max(...row));
    const lo = hzToMel(125);
    const hi = hzToMel(7500);
    const centres = Array.from({ length: 64 }, (_, b) => lo + ((hi - lo) * (b + 1)) / 65);
    const nearest = centres.reduce(
      (best, c, b) => (Math.abs(c - hzToMel(1000)) < Math.abs(centres[best] - hzToMel(1000)) ? b : best),
      0,
    );
    expect(Math.abs(peak - nearest)).toBeLessThanOrEqual(1);
  });

  it('silence gives ln(0.001) everywhere; short input still yields one patch', () => {
    const patches = waveformToPatches(new Float32Array(100));
    expect(patches.numPatches).toBe(1);
    for (const v of patches.data) expect(v).toBeCloseTo(Math.log(0.001), 6);
    expect(waveformToPatches(new Float32Array(0)).numPatches).toBe(1);
  });

  it('paper-power form: unit-energy filters over the power spectrum, same shape', () => {
    const x = new Float32Array(20000).map((_, n) => 0.3 * Math.sin((2 * Math.PI * 440 * n) / 16000));
    const a = waveformToPatches(x, { form: 'paper-power' });
    const b = waveformToPatches(x);
    expect(a.numPatches).toBe(b.numPatches);
    expect(a.data.length).toBe(b.data.length);
    expect(frontEndParams({ form: 'paper-power' }).form).toBe('paper-power');
    // Power of a 0.3-amplitude tone is larger than its magnitude in the lit band.
    const band = b.data.subarray(0, 64).indexOf(Math.max(...b.data.subarray(0, 64)));
    expect(a.data[band]).not.toBeCloseTo(b.data[band], 1);
    for (const v of a.data) expect(Number.isFinite(v)).toBe(true);
  });
});
