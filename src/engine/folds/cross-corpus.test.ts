import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { indexCorpus } from '../corpora';
import { sharedDir } from '../util/paths';
import { crossCorpusFolds } from './cross-corpus';

describe('cross-corpus folds (RAVDESS and EMO-DB subsets)', () => {
  it('trains on all but one corpus, over the shared classes, with speaker-disjoint validation', async () => {
    const classes = ['angry', 'happy', 'sad', 'neutral', 'calm', 'boredom'] as const;
    const ravdess = await indexCorpus(path.join(sharedDir(), 'data', 'ravdess'), { classes: [...classes] });
    const emodb = await indexCorpus(path.join(sharedDir(), 'data', 'emodb'), { classes: [...classes] });
    const plan = crossCorpusFolds(
      [
        { name: 'ravdess', utterances: ravdess.utterances },
        { name: 'emodb', utterances: emodb.utterances },
      ],
      { seed: 1, valFraction: 0.25 },
    );
    // The shared subsets hold the paper's four classes each (no calm, no boredom): nothing dropped.
    expect(new Set(plan.classes)).toEqual(new Set(['angry', 'happy', 'sad', 'neutral']));
    expect(plan.mapping).toEqual([
      { corpus: 'ravdess', kept: ravdess.utterances.length, dropped: {} },
      { corpus: 'emodb', kept: emodb.utterances.length, dropped: {} },
    ]);
    expect(plan.folds.map((f) => [f.trainCorpora.join(), f.testCorpus])).toEqual([
      ['emodb', 'ravdess'],
      ['ravdess', 'emodb'],
    ]);
    for (const f of plan.folds) {
      const all = [...f.train, ...f.validation, ...f.test];
      expect(new Set(all).size).toBe(all.length);
      expect(f.validation.length).toBeGreaterThan(0);
      expect(f.test.every((s) => s.startsWith(`${f.testCorpus}:`))).toBe(true);
      expect([...f.train, ...f.validation].every((s) => !s.startsWith(`${f.testCorpus}:`))).toBe(true);
    }
    expect(plan.folds[1].test).toHaveLength(new Set(emodb.utterances.map((u) => u.speaker)).size);
  });

  it('keeps only the shared classes and records what each corpus loses', () => {
    const u = (speaker: string, label: string) => ({ speaker, label });
    const plan = crossCorpusFolds(
      [
        { name: 'a', utterances: [u('1', 'angry'), u('1', 'calm'), u('2', 'sad'), u('3', 'angry')] },
        { name: 'b', utterances: [u('1', 'sad'), u('1', 'boredom'), u('1', 'boredom'), u('2', 'angry')] },
      ],
      { seed: 0, valFraction: 0.3 },
    );
    expect(plan.classes).toEqual(['angry', 'sad']);
    expect(plan.mapping).toEqual([
      { corpus: 'a', kept: 3, dropped: { calm: 1 } },
      { corpus: 'b', kept: 2, dropped: { boredom: 2 } },
    ]);
    expect(plan.folds[1].test).toEqual(['b:1', 'b:2']);
    expect([...plan.folds[1].train, ...plan.folds[1].validation].sort()).toEqual(['a:1', 'a:2', 'a:3']);
    expect(plan.folds[1].validation).toHaveLength(1);
  });

  it('refuses corpora that share fewer than two classes, naming what each has', () => {
    expect(() =>
      crossCorpusFolds(
        [
          { name: 'a', utterances: [{ speaker: '1', label: 'angry' }] },
          { name: 'b', utterances: [{ speaker: '1', label: 'sad' }] },
        ],
        { seed: 0 },
      ),
    ).toThrow(/share no class \(a: angry; b: sad\)/);
  });
});
