import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAudio } from '../../audio';
import { sha256File } from '../../util/hash';
import { indexCorpus } from '../indexer';
import { summarizeIndex } from '../summary';
import { readSyntheticMarker } from '../synthetic-marker';
import type { Utterance } from '../types';
import { synthesizeCorpus } from './index';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'h2-synth-'));
  process.env.SER_WORKBENCH_HOME = path.join(tmp, 'home');
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Log RMS level and median autocorrelation pitch (Hz) of the loud 40 ms frames. */
function levelAndPitch(x: Float32Array, sr: number): { level: number; f0: number } {
  let energy = 0;
  for (const v of x) energy += v * v;
  const mean = energy / x.length;
  const frame = Math.round(0.04 * sr);
  const pitches: number[] = [];
  for (let s = 0; s + frame < x.length; s += frame) {
    let e = 0;
    for (let i = 0; i < frame; i++) e += x[s + i] ** 2;
    if (e / frame < mean) continue;
    const lags: number[] = [];
    const corr: number[] = [];
    for (let lag = Math.round(sr / 500); lag < Math.round(sr / 60); lag++) {
      let c = 0;
      for (let i = 0; i + lag < frame; i++) c += x[s + i] * x[s + i + lag];
      lags.push(lag);
      corr.push(c / (frame - lag));
    }
    // The shortest lag nearly as correlated as the best: avoids octave-down errors.
    const best = Math.max(...corr);
    const k = corr.findIndex(
      (c, i) => c >= 0.85 * best && (i === 0 || c >= corr[i - 1]) && c >= (corr[i + 1] ?? -Infinity),
    );
    pitches.push(sr / lags[k >= 0 ? k : corr.indexOf(best)]);
  }
  pitches.sort((a, b) => a - b);
  return { level: Math.log(mean), f0: pitches[Math.floor(pitches.length / 2)] };
}

describe('synthesizeCorpus', () => {
  it('writes a corpus the indexer detects as synthetic, 1–3 s, alternating sexes', async () => {
    const root = path.join(tmp, 'a');
    const result = await synthesizeCorpus(root, { speakers: 4, perClass: 2, seed: 11 });
    expect(result.files).toBe(32);
    expect(readSyntheticMarker(root)?.params).toEqual({
      speakers: 4,
      perClass: 2,
      seed: 11,
      classes: ['angry', 'happy', 'sad', 'neutral'],
      sampleRate: 16000,
    });
    const index = await indexCorpus(root);
    const s = summarizeIndex(index);
    expect(index.corpus).toBe('synthetic');
    expect(s.files).toBe(32);
    expect(s.sex).toEqual({ male: 2, female: 2, unknown: 0 });
    expect(s.perClass).toEqual({ angry: 8, happy: 8, sad: 8, neutral: 8 });
    expect(s.duration.min).toBeGreaterThanOrEqual(1);
    expect(s.duration.max).toBeLessThanOrEqual(3);
    expect(index.skipped).toEqual([]);
  });

  it('is deterministic: the same seed writes the same bytes, another seed does not', async () => {
    const a = await synthesizeCorpus(path.join(tmp, 'd1'), {
      speakers: 2,
      perClass: 1,
      seed: 3,
      classes: ['sad'],
    });
    const b = await synthesizeCorpus(path.join(tmp, 'd2'), {
      speakers: 2,
      perClass: 1,
      seed: 3,
      classes: ['sad'],
    });
    const c = await synthesizeCorpus(path.join(tmp, 'd3'), {
      speakers: 2,
      perClass: 1,
      seed: 4,
      classes: ['sad'],
    });
    const file = 'S01/sad/S01_sad_01.wav';
    const hash = (r: { root: string }) => sha256File(path.join(r.root, file));
    expect(await hash(a)).toBe(await hash(b));
    expect(await hash(a)).not.toBe(await hash(c));
  });

  it('refuses a non-empty folder that is not a synthetic corpus', async () => {
    const root = path.join(tmp, 'busy');
    fs.mkdirSync(root);
    fs.writeFileSync(path.join(root, 'keep.txt'), 'mine');
    await expect(synthesizeCorpus(root, { speakers: 1, perClass: 1, seed: 1 })).rejects.toThrow(/not empty/);
  });

  it('is learnable: level and pitch order the classes and a speaker-independent classifier works', async () => {
    const root = path.join(tmp, 'learn');
    await synthesizeCorpus(root, { speakers: 4, perClass: 5, seed: 5 });
    const index = await indexCorpus(root);
    const rows: { u: Utterance; level: number; f0: number }[] = [];
    for (const u of index.utterances) {
      const audio = await decodeAudio(u.path);
      rows.push({ u, ...levelAndPitch(audio.samples, audio.sampleRate) });
    }
    const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    // Medians: a crude pitch tracker makes the odd octave error.
    const byClass = (label: string, key: 'level' | 'f0', speaker?: string) =>
      median(
        rows.filter((r) => r.u.label === label && (!speaker || r.u.speaker === speaker)).map((r) => r[key]),
      );
    expect(byClass('angry', 'level')).toBeGreaterThan(byClass('neutral', 'level'));
    expect(byClass('happy', 'level')).toBeGreaterThan(byClass('neutral', 'level'));
    expect(byClass('neutral', 'level')).toBeGreaterThan(byClass('sad', 'level'));
    for (const speaker of ['S01', 'S02', 'S03', 'S04']) {
      expect(byClass('happy', 'f0', speaker)).toBeGreaterThan(byClass('neutral', 'f0', speaker));
      expect(byClass('neutral', 'f0', speaker)).toBeGreaterThan(byClass('sad', 'f0', speaker));
    }

    // Leave-one-speaker-out nearest class centroid on (level, pitch relative to the speaker).
    const speakerF0 = new Map<string, number>();
    for (const s of new Set(rows.map((r) => r.u.speaker))) {
      speakerF0.set(s, mean(rows.filter((r) => r.u.speaker === s).map((r) => Math.log(r.f0))));
    }
    const feat = (r: (typeof rows)[number]) => [r.level, 4 * (Math.log(r.f0) - speakerF0.get(r.u.speaker)!)];
    let correct = 0;
    for (const r of rows) {
      const train = rows.filter((q) => q.u.speaker !== r.u.speaker);
      let best = '';
      let bestDist = Infinity;
      for (const label of index.classes) {
        const xs = train.filter((q) => q.u.label === label).map(feat);
        const centroid = [0, 1].map((j) => mean(xs.map((x) => x[j])));
        const d = feat(r).reduce((s, v, j) => s + (v - centroid[j]) ** 2, 0);
        if (d < bestDist) [bestDist, best] = [d, label];
      }
      if (best === r.u.label) correct += 1;
    }
    expect(correct / rows.length).toBeGreaterThan(0.8);
  });
});
