/**
 * The served mode (and the desktop app, same handlers) gets the engine's config messages: per
 * entry for the form, and a refused run start leaves no run folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { synthesizeCorpus } from '../../engine/corpora';
import { EMOTIONS } from '../../engine/corpora/types';
import { dispatch } from '../dispatch';
import { handlers } from '../handlers';
import { appContextTest } from '../../../test/helpers/app-context';

let started = 0;
const app = appContextTest('cfg', {
  dataDirs: (tmp) => [path.join(tmp, 'data')],
  prepare: (tmp) => synthesizeCorpus(path.join(tmp, 'data', 'corpus'), { speakers: 3, perClass: 2, seed: 9 }),
  jobs: {
    start: () => {
      started += 1;
      throw new Error('no job may start in this test');
    },
  } as never,
});
const { tmp, runsDir } = app;
const corpus = path.join(tmp, 'data', 'corpus');
const failure = (method: 'runs.start' | 'folds.preview', config: unknown) => app.failure(method, { config });

describe('config messages in served mode', () => {
  it('config.validate names each entry and suggests the near key', async () => {
    const res = (await dispatch(
      handlers,
      'config.validate',
      { config: { training: { epoch: 3 }, data: { dir: corpus, classes: ['joy', 'sad'] } } },
      app.ctx,
    )) as { ok: boolean; issues: { path: (string | number)[]; message: string }[] };
    expect(res.ok).toBe(false);
    expect(res.issues).toEqual([
      { path: ['data', 'classes', 0], message: `'joy' is not an emotion (one of ${EMOTIONS.join(', ')})` },
      { path: ['training', 'epoch'], message: "unknown key; did you mean 'training.epochs'?" },
    ]);
  });

  it('runs.start refuses a bad config with the same problems and writes nothing', async () => {
    const err = await failure('runs.start', { data: { dir: corpus }, training: { epoch: 3 } });
    expect(err).toMatchObject({
      kind: 'invalid',
      issues: [{ path: ['training', 'epoch'], message: "unknown key; did you mean 'training.epochs'?" }],
    });
    expect(err?.message).toContain("training.epoch: unknown key; did you mean 'training.epochs'?");
    expect(fs.existsSync(runsDir) ? fs.readdirSync(runsDir) : []).toEqual([]);
  });

  it('runs.start and the fold preview refuse a class the corpus lacks and too few speakers, before any folder', async () => {
    const absent = { data: { dir: corpus, classes: ['angry', 'disgust'] } };
    for (const method of ['runs.start', 'folds.preview'] as const) {
      expect(await failure(method, absent)).toEqual({
        kind: 'user',
        message: `data.classes: 'disgust' is not in the corpus ${corpus} (its classes: neutral, happy, sad, angry)`,
      });
    }
    const kfold = { data: { dir: corpus }, crossValidation: { scheme: 'kfold', k: 4 } };
    expect((await failure('runs.start', kfold))?.message).toMatch(
      /k = 4 folds need at least 4 speakers, found 3/,
    );
    expect(fs.existsSync(runsDir) ? fs.readdirSync(runsDir) : []).toEqual([]);
    expect(started).toBe(0);
  });
});
