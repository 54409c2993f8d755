/**
 * runs.submit over real HTTP with real training workers: a 1 × 2 sweep (seed 1, 2) of frozen runs
 * on the shared RAVDESS subset on the local executor lists both cells at once, trains them one
 * after the other, and each cell's row carries its summary's UAR; tags and notes go to the cell's
 * folder; a sweep value the schema refuses is refused before anything is written, naming the
 * field and the cell.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Method, RunInfo } from '@shared/contract';
import { sharedDir } from '../engine/util/paths';
import { startServer, type RunningServer } from './http';
import { SettingsStore } from '../app/settings';
import type { JobLauncher } from '../app/jobs';

const ravdess = path.join(sharedDir(), 'data', 'ravdess');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'serwb-submit-'));
const runsDir = path.join(tmp, 'runs');
let server: RunningServer;
const noJobs: JobLauncher = () => {
  throw new Error('runs.submit trains through the executors, not the job launcher');
};

beforeAll(async () => {
  process.env.SER_WORKBENCH_HOME = path.join(tmp, 'home');
  const staticDir = path.join(tmp, 'static');
  fs.mkdirSync(staticDir);
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>t</title>');
  server = await startServer({
    staticDir,
    settings: new SettingsStore({ sessionDataDirs: [path.join(sharedDir(), 'data')], runsDir }),
    launcher: noJobs,
  });
});
afterAll(async () => {
  await server?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the answers are checked field by field
async function call(method: Method, body: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${new URL(server.url).origin}/api/${method}`, {
    method: 'POST',
    headers: { 'x-ser-workbench-token': server.token },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

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
    expect(r.status, JSON.stringify(r.json)).toBe(400);
    expect(r.json.error.message).toMatch(/02-epochs=0/);
    expect(r.json.error.message).toMatch(/training\.epochs/);
    expect(fs.existsSync(runsDir) ? fs.readdirSync(runsDir) : []).toEqual([]);
  });

  it('lists the cells at once and trains them, each row with its summary’s UAR', async () => {
    const r = await call('runs.submit', { config: config({ grid: { seed: [1, 2] } }) });
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    const made = r.json.result as { sweep: string; runs: RunInfo[] };
    expect(made.runs.map((x) => x.sweep?.values)).toEqual([{ seed: 1 }, { seed: 2 }]);
    expect(made.runs.every((x) => x.id.startsWith(`${made.sweep}/`))).toBe(true);

    const rows = async () => ((await call('runs.list', {})).json.result as RunInfo[]).filter((x) => x.sweep);
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
    expect(annotated.json.result).toMatchObject({ id: first, tags: ['seeds'], notes: 'two seeds' });
    expect(JSON.parse(fs.readFileSync(path.join(made.runs[0].dir, 'notes.json'), 'utf8'))).toEqual({
      tags: ['seeds'],
      notes: 'two seeds',
    });
  });
});
