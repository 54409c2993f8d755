/**
 * The cross-corpus scheme before anything trains: config problems naming their field, and the
 * plan over the shared RAVDESS subset and synthetic corpora (shared classes, the class mapping
 * with what each corpus loses, speaker-disjoint folds).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkConfig, parseConfig } from '../config/schema';
import { synthesizeCorpus } from '../corpora';
import { sharedDir } from '../util/paths';
import { planCorpus } from './plan';

const ravdess = path.join(sharedDir(), 'data', 'ravdess');
let tmp: string;
let withBoredom: string;
let disjoint: string;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-xcorpus-plan-'));
  process.env.SER_WORKBENCH_HOME = path.join(tmp, 'home');
  withBoredom = path.join(tmp, 'boredom');
  await synthesizeCorpus(withBoredom, {
    speakers: 3,
    perClass: 2,
    seed: 4,
    classes: ['angry', 'happy', 'boredom'],
  });
  disjoint = path.join(tmp, 'disjoint');
  await synthesizeCorpus(disjoint, { speakers: 2, perClass: 2, seed: 5, classes: ['calm', 'fearful'] });
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const problemsOf = (input: unknown) => {
  const checked = checkConfig(input);
  return checked.ok ? [] : checked.problems.map((p) => `${p.path.join('.')}: ${p.message}`);
};

describe('cross-corpus config problems name the field', () => {
  it('one corpus only, both forms, an unknown layout, testCorpus without the scheme', () => {
    expect(problemsOf({ crossValidation: { scheme: 'cross-corpus' } })).toEqual([
      expect.stringMatching(/^crossValidation\.testCorpus: cross-corpus needs a second corpus/),
    ]);
    expect(
      problemsOf({
        crossValidation: { scheme: 'cross-corpus', testCorpus: { dir: 'b' }, corpora: [{ dir: 'c' }] },
      }),
    ).toEqual(["crossValidation.corpora: give either 'testCorpus' or 'corpora', not both"]);
    expect(
      problemsOf({ crossValidation: { scheme: 'cross-corpus', testCorpus: { dir: 'b', corpus: 'emodbb' } } }),
    ).toEqual([expect.stringMatching(/^crossValidation\.testCorpus\.corpus: must be one of auto, .*emodb/)]);
    expect(problemsOf({ crossValidation: { scheme: 'cross-corpus', testCorpus: { dir: '' } } })).toEqual([
      'crossValidation.testCorpus.dir: must name the corpus folder',
    ]);
    expect(problemsOf({ crossValidation: { scheme: 'loso', testCorpus: { dir: 'b' } } })).toEqual([
      "crossValidation.testCorpus: only used with scheme 'cross-corpus'",
    ]);
    expect(problemsOf({ crossValidation: { scheme: 'cross-corpus', corpora: [] } })).toEqual([
      'crossValidation.corpora: needs at least one corpus besides data',
    ]);
    expect(problemsOf({ crossValidation: { scheme: 'cross-corpus', testCorpus: { dir: 'b' } } })).toEqual([]);
  });

  it('a missing folder, the same corpus twice and no shared class are refused before any run exists', async () => {
    const cross = (cv: Record<string, unknown>, data: Record<string, unknown> = {}) =>
      parseConfig({ data, crossValidation: { scheme: 'cross-corpus', ...cv } });
    await expect(planCorpus(cross({ testCorpus: { dir: path.join(tmp, 'nope') } }), ravdess)).rejects.toThrow(
      `crossValidation.testCorpus: ${path.join(tmp, 'nope')}: no such folder`,
    );
    await expect(
      planCorpus(cross({ corpora: [{ dir: withBoredom }, { dir: ravdess }] }), ravdess),
    ).rejects.toThrow(`crossValidation.corpora[1].dir: ${ravdess} is already the corpus of data.dir`);
    await expect(
      planCorpus(cross({ testCorpus: { dir: disjoint, name: 'synth' } }, { classes: 'all' }), ravdess),
    ).rejects.toThrow(
      /^crossValidation: cross-corpus: the corpora share no class \(ravdess: .*; synth: calm, fearful\)/,
    );
    // Two corpora of one layout need a name to tell them apart in the matrix.
    await expect(
      planCorpus(cross({ testCorpus: { dir: disjoint } }, { classes: 'all' }), withBoredom),
    ).rejects.toThrow(
      /crossValidation\.testCorpus: a second corpus named 'synthetic'; give it a distinct name \(crossValidation\.testCorpus\.name\)/,
    );
  });
});

describe('cross-corpus plan', () => {
  it('keeps the shared classes, records what each corpus loses and keeps speakers apart', async () => {
    const config = parseConfig({
      data: { classes: 'all' },
      crossValidation: { scheme: 'cross-corpus', corpora: [{ dir: withBoredom, name: 'synth' }] },
      seed: 7,
    });
    const plan = await planCorpus(config, ravdess);
    // Classes 'all' keeps the first corpus's order.
    expect(plan.index.classes).toEqual(['happy', 'angry']);
    expect(plan.foldsDoc.scheme).toBe('cross-corpus');
    const record = plan.foldsDoc.crossCorpus!;
    expect(record.classes).toEqual(['happy', 'angry']);
    expect(record.corpora.map((c) => [c.name, c.utterances, c.speakers, c.dropped])).toEqual([
      ['ravdess', 32, 4, { neutral: 16, sad: 16 }],
      ['synth', 12, 3, { boredom: 6 }],
    ]);
    // Only shared classes reach the run's index; speakers and ids carry their corpus.
    expect(new Set(plan.index.utterances.map((u) => u.label))).toEqual(new Set(['angry', 'happy']));
    expect(plan.index.utterances.length).toBe(44);
    expect(plan.index.utterances.every((u) => /^(ravdess|synth):/.test(u.speaker))).toBe(true);
    expect(plan.index.utterances.every((u) => /^(ravdess|synth)\//.test(u.id))).toBe(true);
    // One fold per held-out corpus, trained on the other with a speaker-disjoint validation split.
    expect(plan.folds.map((f) => [f.trainCorpora, f.testCorpus])).toEqual([
      [['synth'], 'ravdess'],
      [['ravdess'], 'synth'],
    ]);
    for (const f of plan.folds) {
      const own = (s: string) => s.startsWith(`${f.testCorpus}:`);
      expect(f.test.length).toBeGreaterThan(0);
      expect(f.test.every(own)).toBe(true);
      expect([...f.train, ...f.validation].some(own)).toBe(false);
      expect(f.validation.length).toBe(1);
      expect(f.train.some((s) => f.validation.includes(s))).toBe(false);
      expect(f.counts.test).toBe(f.testCorpus === 'ravdess' ? 32 : 12);
    }
  });

  it('testCorpus gives the one direction data → testCorpus', async () => {
    const config = parseConfig({
      data: { classes: 'all' },
      crossValidation: { scheme: 'cross-corpus', testCorpus: { dir: withBoredom, name: 'synth' } },
    });
    const plan = await planCorpus(config, ravdess);
    expect(plan.folds.map((f) => [f.index, f.trainCorpora, f.testCorpus])).toEqual([
      [0, ['ravdess'], 'synth'],
    ]);
    expect(plan.folds[0].counts).toEqual({ train: 24, validation: 8, test: 12 });
  });
});
