/**
 * A new run refuses a bad corpus or fold setup before its folder exists, and a config given with
 * --resume must be the run's own.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/schema';
import { synthesizeCorpus } from '../corpora';
import { UserError } from '../util/errors';
import { checkResumeConfig, prepareCorpus } from './prepare';
import { runExperiment } from './runner';

let tmp: string;
let corpus: string;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-prepare-'));
  process.env.SER_WORKBENCH_HOME = path.join(tmp, 'home');
  corpus = path.join(tmp, 'corpus');
  await synthesizeCorpus(corpus, { speakers: 3, perClass: 2, seed: 3 });
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Everything below `dir`, so a test can show nothing was written. */
const listing = (dir: string): string[] =>
  fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }).map(String).sort() : [];

describe('a new run checks its corpus and folds before writing', () => {
  it('refuses a class the corpus lacks, listing the classes it has, and writes no run folder', async () => {
    const out = path.join(tmp, 'runs-class');
    const config = parseConfig({ data: { classes: ['angry', 'fearful'] }, backend: 'cpu' });
    const err = await runExperiment(config, { dataDir: corpus, outDir: out }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toBe(
      `data.classes: 'fearful' is not in the corpus ${corpus} (its classes: neutral, happy, sad, angry)`,
    );
    expect(listing(out)).toEqual([]);
  });

  it('refuses a k-fold with more folds than speakers and writes no run folder', async () => {
    const out = path.join(tmp, 'runs-kfold');
    const runDir = path.join(tmp, 'exact-run');
    const config = parseConfig({ crossValidation: { scheme: 'kfold', k: 5 }, backend: 'cpu' });
    await expect(runExperiment(config, { dataDir: corpus, outDir: out })).rejects.toThrow(
      `crossValidation: k = 5 folds need at least 5 speakers, found 3 in ${corpus}`,
    );
    await expect(runExperiment(config, { dataDir: corpus, runDir })).rejects.toThrow(
      /need at least 5 speakers/,
    );
    expect(listing(out)).toEqual([]);
    expect(fs.existsSync(runDir)).toBe(false);
  });

  it('gives the run its index and folds when all is well', async () => {
    const config = parseConfig({ crossValidation: { scheme: 'kfold', k: 3 } });
    const prepared = await prepareCorpus(config, corpus);
    expect(prepared.index.classes).toEqual(['angry', 'happy', 'sad', 'neutral']);
    expect(prepared.folds).toHaveLength(3);
  });
});

describe('a config given with --resume', () => {
  const recorded = parseConfig({ name: 'r', training: { epochs: 4 } });

  it('is accepted when it equals the run’s (defaults filled in)', () => {
    expect(() =>
      checkResumeConfig('/runs/r', recorded, parseConfig({ name: 'r', training: { epochs: 4 } })),
    ).not.toThrow();
  });

  it('is refused when it differs, naming each differing field', () => {
    const given = parseConfig({ name: 'r', training: { epochs: 3, batchSize: 8 } });
    expect(() => checkResumeConfig('/runs/r', recorded, given)).toThrow(
      /the config differs from the run's in \/runs\/r.*\n {2}training\.batchSize: the run has 24, the config 8\n {2}training\.epochs: the run has 4, the config 3$/s,
    );
  });
});
