import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexCorpus } from '../corpora/indexer';
import type { Emotion, Sex, Utterance } from '../corpora/types';
import { sharedDir } from '../util/paths';
import { foldsDocument, foldsToJsonlRows } from './export';
import { checkFolds, makeFolds, type FoldUtterance } from './folds';

let home: string;
beforeAll(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'h2-folds-'));
  process.env.SER_WORKBENCH_HOME = home;
});
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

const CLASSES: Emotion[] = ['angry', 'happy', 'sad', 'neutral'];

/** A random corpus: speakers with a sex and a few utterances of random classes. */
const corpusArb = fc
  .array(
    fc.record({
      sex: fc.constantFrom<Sex>('male', 'female', 'unknown'),
      labels: fc.array(fc.constantFrom(...CLASSES), { minLength: 1, maxLength: 6 }),
    }),
    { minLength: 2, maxLength: 30 },
  )
  .map((speakers) =>
    speakers.flatMap((s, i) =>
      s.labels.map((label): FoldUtterance => ({ speaker: `sp${i}`, sex: s.sex, label })),
    ),
  );

function speakersOf(us: FoldUtterance[]): string[] {
  return [...new Set(us.map((u) => u.speaker))];
}

describe('makeFolds invariants (property tests)', () => {
  it('LOSO: one fold per speaker, disjoint partitions, every utterance tested once', () => {
    fc.assert(
      fc.property(corpusArb, fc.integer(), fc.double({ min: 0, max: 0.9, noNaN: true }), (us, seed, val) => {
        const folds = makeFolds(us, { scheme: 'loso', seed, valFraction: val });
        const speakers = speakersOf(us);
        expect(folds).toHaveLength(speakers.length);
        const tested = folds.flatMap((f) => f.test);
        expect(tested.sort()).toEqual([...speakers].sort());
        let testedUtterances = 0;
        for (const f of folds) {
          const all = [...f.test, ...f.validation, ...f.train];
          expect(new Set(all).size).toBe(all.length);
          expect(all.length).toBe(speakers.length);
          expect(f.counts.test + f.counts.validation + f.counts.train).toBe(us.length);
          if (val > 0 && speakers.length - 1 >= 2) expect(f.validation.length).toBeGreaterThanOrEqual(1);
          expect(f.train.length).toBeGreaterThanOrEqual(1);
          testedUtterances += f.counts.test;
        }
        expect(testedUtterances).toBe(us.length);
      }),
      { numRuns: 150 },
    );
  });

  it('k-fold: k speaker-disjoint test groups of near-equal size covering every speaker', () => {
    const arb = corpusArb.chain((us) =>
      fc.tuple(fc.constant(us), fc.integer({ min: 2, max: speakersOf(us).length }), fc.integer()),
    );
    fc.assert(
      fc.property(arb, ([us, k, seed]) => {
        const folds = makeFolds(us, { scheme: 'kfold', k, seed });
        expect(folds).toHaveLength(k);
        const sizes = folds.map((f) => f.test.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        const tested = folds.flatMap((f) => f.test);
        expect(new Set(tested).size).toBe(tested.length);
        expect(tested.length).toBe(speakersOf(us).length);
        expect(folds.reduce((s, f) => s + f.counts.test, 0)).toBe(us.length);
        checkFolds(folds, us);
      }),
      { numRuns: 150 },
    );
  });

  it('is deterministic for a seed', () => {
    fc.assert(
      fc.property(corpusArb, fc.integer(), (us, seed) => {
        const k = Math.min(3, speakersOf(us).length);
        expect(makeFolds(us, { scheme: 'kfold', k, seed })).toEqual(
          makeFolds(us, { scheme: 'kfold', k, seed }),
        );
        expect(makeFolds(us, { scheme: 'loso', seed })).toEqual(makeFolds(us, { scheme: 'loso', seed }));
      }),
      { numRuns: 50 },
    );
  });

  it('checkFolds rejects a speaker in two partitions or tested twice', () => {
    const us: FoldUtterance[] = ['a', 'b', 'c'].map((speaker) => ({ speaker, sex: 'male', label: 'sad' }));
    const folds = makeFolds(us, { scheme: 'loso', seed: 1 });
    const leak = structuredClone(folds);
    leak[0].train.push(leak[0].test[0]);
    expect(() => checkFolds(leak, us)).toThrow(/is in both/);
    const twice = structuredClone(folds);
    twice[1].test = [...twice[0].test];
    twice[1].train = twice[1].train.filter((s) => s !== twice[0].test[0]);
    twice[1].validation = twice[1].validation.filter((s) => s !== twice[0].test[0]);
    twice[1].train.push(folds[1].test[0]);
    expect(() => checkFolds(twice, us)).toThrow(/tested in/);
  });
});

describe('makeFolds on real corpora', () => {
  it('RAVDESS LOSO: 4 folds, 1 validation speaker each, 16 test files', async () => {
    const index = await indexCorpus(path.join(sharedDir(), 'data', 'ravdess'));
    const folds = makeFolds(index.utterances, { scheme: 'loso', seed: 42 });
    expect(folds.map((f) => f.test)).toEqual([['01'], ['02'], ['03'], ['04']]);
    for (const f of folds) {
      expect(f.validation).toHaveLength(1);
      expect(f.train).toHaveLength(2);
      expect(f.counts).toEqual({ test: 16, validation: 16, train: 32 });
      expect(f.perClass.test).toEqual({ neutral: 4, happy: 4, sad: 4, angry: 4 });
    }
  });

  it('EMO-DB 5-fold: each test group holds one man and one woman; 80/20 validation by speaker', async () => {
    const index = await indexCorpus(path.join(sharedDir(), 'data', 'emodb'));
    const sex = new Map(index.utterances.map((u) => [u.speaker, u.sex]));
    const folds = makeFolds(index.utterances, { scheme: 'kfold', k: 5, seed: 7 });
    for (const f of folds) {
      expect(f.test.map((s) => sex.get(s)).sort()).toEqual(['female', 'male']);
      expect(f.validation).toHaveLength(2);
      expect(f.validation.map((s) => sex.get(s)).sort()).toEqual(['female', 'male']);
      expect(f.train).toHaveLength(6);
    }
    expect(makeFolds(index.utterances, { scheme: 'kfold', k: 5, seed: 8 })).not.toEqual(folds);
  });

  it('rejects impossible requests as user errors', () => {
    const us: FoldUtterance[] = [{ speaker: 'a', sex: 'male', label: 'sad' }];
    expect(() => makeFolds(us, { scheme: 'loso', seed: 1 })).toThrow(/at least 2 speakers/);
    const two = [...us, { speaker: 'b', sex: 'female', label: 'sad' } as FoldUtterance];
    expect(() => makeFolds(two, { scheme: 'kfold', k: 3, seed: 1 })).toThrow(/need at least 3 speakers/);
    expect(() => makeFolds(two, { scheme: 'kfold', seed: 1 })).toThrow(/k ≥ 2/);
    expect(() => makeFolds(two, { scheme: 'loso', seed: 1, valFraction: 1 })).toThrow(/validation fraction/);
  });
});

describe('exports', () => {
  it('EmoBox-style rows: one per utterance per fold, split matching the fold', () => {
    const us: Utterance[] = ['a', 'b', 'c', 'd'].map((speaker, i) => ({
      path: `/c/${speaker}.wav`,
      id: `${speaker}.wav`,
      speaker,
      sex: i % 2 ? 'female' : 'male',
      label: 'sad',
      durationSec: 1,
      sampleRate: 16000,
      channels: 1,
      size: 10,
      mtimeMs: 0,
    }));
    const opts = { scheme: 'loso' as const, seed: 3 };
    const folds = makeFolds(us, opts);
    const rows = foldsToJsonlRows(folds, us, 'csv');
    expect(rows).toHaveLength(16);
    expect(new Set(rows.map((r) => r.key)).size).toBe(16);
    expect(rows.filter((r) => r.split === 'test').map((r) => [r.fold, r.speaker])).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
      [4, 'd'],
    ]);
    const doc = foldsDocument(folds, opts, us);
    expect(doc).toMatchObject({
      scheme: 'loso',
      k: 4,
      valFraction: 0.2,
      seed: 3,
      speakers: 4,
      utterances: 4,
    });
  });
});
