/**
 * The run plan decides the corpus index, folds, mode, first trained block, backend and parallelism
 * of a run, from a real (synthesized) corpus folder; a resumed run's plan is its recorded one.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/schema';
import { synthesizeCorpus } from '../corpora';
import { writeJsonAtomic } from '../util/atomic';
import { FROZEN_BLOCK } from '@shared/first-block';
import { configFirstBlock, costInputs, planCorpus, planRun, withFirstTrainedBlock } from './plan';
import { prepareCorpus } from './prepare';

let tmp: string;
let corpus: string;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-plan-'));
  process.env.SER_WORKBENCH_HOME = path.join(tmp, 'home');
  corpus = path.join(tmp, 'corpus');
  await synthesizeCorpus(corpus, { speakers: 4, perClass: 2, seed: 7 });
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('planRun', () => {
  it('holds the corpus index and the folds a run makes, with the mode and first trained block', async () => {
    const config = parseConfig({ crossValidation: { scheme: 'kfold', k: 2 }, backend: 'cpu' });
    const plan = await planRun(withFirstTrainedBlock(config, 9), corpus);
    const prepared = await prepareCorpus(config, corpus);
    expect(plan.dataDir).toBe(path.resolve(corpus));
    expect(plan.index.hash).toBe(prepared.index.hash);
    expect(plan.folds).toEqual(prepared.folds);
    expect(plan.foldsDoc.scheme).toBe('kfold');
    expect(plan.foldsDoc.folds).toEqual(plan.folds);
    expect(plan.mode).toBe('trainFrom9');
    expect(plan.firstTrainedBlock).toBe(9);
    expect(plan.backend).toEqual({ name: 'cpu', reason: 'forced (asked for)' });
  });

  it('maps every trainFrom to one first trained block and back (frozen and baselines train none)', () => {
    const config = parseConfig({ backend: 'cpu' });
    for (let k = 1; k <= FROZEN_BLOCK; k++)
      expect(configFirstBlock(withFirstTrainedBlock(config, k))).toBe(k);
    expect(withFirstTrainedBlock(config, 1).model).toMatchObject({ yamnet: { trainFrom: 'full' } });
    expect(withFirstTrainedBlock(config, FROZEN_BLOCK).model).toMatchObject({
      yamnet: { trainFrom: 'frozen' },
    });
    const baseline = parseConfig({ model: { kind: 'baseline' }, backend: 'cpu' });
    expect(configFirstBlock(baseline)).toBe(FROZEN_BLOCK);
    expect(withFirstTrainedBlock(baseline, 3)).toBe(baseline);
  });

  it('runs folds in parallel only where this process can spawn fold workers', async () => {
    const config = withFirstTrainedBlock(parseConfig({ backend: 'cpu' }), FROZEN_BLOCK);
    expect((await planRun(config, corpus, { parallel: 3 })).parallel).toBe(1);
    const spawning = await planRun(config, corpus, { parallel: 3, spawnsFolds: true });
    expect(spawning.parallel).toBe(3);
    expect(costInputs(spawning, spawning.folds.slice(1))).toEqual({
      index: spawning.index,
      folds: spawning.folds.slice(1),
      backend: 'cpu',
      parallel: 3,
    });
  });

  it('reads a resumed run’s recorded index and folds instead of indexing the corpus again', async () => {
    const config = parseConfig({ backend: 'cpu' });
    const made = await planCorpus(config, corpus);
    const runDir = path.join(tmp, 'run');
    fs.mkdirSync(runDir);
    // A recorded fold assignment differing from what indexing would make now: the plan keeps it.
    const recorded = { ...made.foldsDoc, folds: made.foldsDoc.folds.slice(0, 2) };
    writeJsonAtomic(path.join(runDir, 'index.json'), made.index);
    writeJsonAtomic(path.join(runDir, 'folds.json'), recorded);
    const plan = await planRun(config, path.join(tmp, 'corpus-gone'), { recordedIn: runDir });
    expect(plan.index).toEqual(made.index);
    expect(plan.folds).toEqual(recorded.folds);
  });

  it('refuses a corpus lacking a class before anything is decided', async () => {
    const config = parseConfig({ data: { classes: ['angry', 'fearful'] }, backend: 'cpu' });
    await expect(planRun(config, corpus)).rejects.toThrow(/data\.classes: 'fearful' is not in the corpus/);
  });
});
