/**
 * runs.submit over real HTTP with real training workers: a 1 × 2 sweep (seed 1, 2) of frozen runs
 * on the shared RAVDESS subset on the local executor lists both cells at once, trains them one
 * after the other, and each cell's row carries its summary's UAR; tags and notes go to the cell's
 * folder; a sweep value the schema refuses is refused before anything is written, naming the
 * field and the cell.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunInfo } from '@shared/contract';
import { sharedDir } from '../engine/util/paths';
import { servedTest } from '../../test/helpers/served';

const ravdess = path.join(sharedDir(), 'data', 'ravdess');
const { runsDir, call } = servedTest('submit', {
  launcher: () => {
    throw new Error('runs.submit trains through the executors, not the job launcher');
  },
});

const config = (sweep: unknown) => ({
  name: 'seeds',
  data: { dir: ravdess },
  model: { kind: 'yamnet-lstm', yamnet: { trainFrom: 'frozen' } },
  training: { epochs: 1 },
  crossValidation: { scheme: 'kfold', k: 2 },
  execution: { executor: 'local', processes: 1 },
  sweep,
});

describe('runs.submit on the local executor', () => {
  it('refuses a sweep value the schema refuses, naming field and cell, before writing anything', async () => {
    const r = await call('runs.submit', { config: config({ grid: { 'training.epochs': [1, 0] } }) });
    // A config the schema refuses is an invalid request (400), as for runs.start.
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.error?.message).toMatch(/02-epochs=0/);
    expect(r.body.error?.message).toMatch(/training\.epochs/);
    expect(fs.existsSync(runsDir) ? fs.readdirSync(runsDir) : []).toEqual([]);
  });

  it('lists the cells at once and trains them, each row with its summary’s UAR', async () => {
    const r = await call('runs.submit', { config: config({ grid: { seed: [1, 2] } }) });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const made = r.body.result as { sweep: string; runs: RunInfo[] };
    expect(made.runs.map((x) => x.sweep?.values)).toEqual([{ seed: 1 }, { seed: 2 }]);
    expect(made.runs.every((x) => x.id.startsWith(`${made.sweep}/`))).toBe(true);

    const rows = async () => ((await call('runs.list', {})).body.result as RunInfo[]).filter((x) => x.sweep);
    const end = Date.now() + 540_000;
    while ((await rows()).some((x) => x.state !== 'done')) {
      const failed = (await rows()).find((x) => x.state === 'failed');
      if (failed) throw new Error(`cell ${failed.id} failed: ${failed.error}`);
      if (Date.now() > end) throw new Error('the sweep did not finish in 9 minutes');
      await new Promise((res) => setTimeout(res, 1000));
    }
    for (const row of await rows()) {
      const summary = JSON.parse(fs.readFileSync(path.join(row.dir, 'summary.json'), 'utf8'));
      expect(row.uar).toBe(summary.pooled.averageAccuracy);
      expect(row.meanUar).toBe(summary.meanSd.averageAccuracy.mean);
      expect(row.columns).toMatchObject({ trainFrom: 'frozen', executor: 'local' });
      const cfg = JSON.parse(fs.readFileSync(path.join(row.dir, 'config.json'), 'utf8')).config;
      expect(cfg.seed).toBe(row.sweep!.values.seed);
    }
    const sweepDir = path.join(runsDir, made.sweep);
    expect(JSON.parse(fs.readFileSync(path.join(sweepDir, 'submit.json'), 'utf8')).state).toBe('done');

    const first = made.runs[0].id;
    const annotated = await call('runs.annotate', { id: first, tags: ['seeds'], notes: 'two seeds' });
    expect(annotated.body.result).toMatchObject({ id: first, tags: ['seeds'], notes: 'two seeds' });
    expect(JSON.parse(fs.readFileSync(path.join(made.runs[0].dir, 'notes.json'), 'utf8'))).toEqual({
      tags: ['seeds'],
      notes: 'two seeds',
    });
  });
});
