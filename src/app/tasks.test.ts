/**
 * The task pool with real task worker processes (src/worker/task-entry.ts forked with tsx): heavy
 * handlers run there and answer as they would in process; progress streams; cancel stops a
 * running t-SNE at its next iteration and the lane goes on; a crashed worker is replaced.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError, UserError } from '../engine/util/errors';
import { mulberry32 } from '../engine/util/random';
import { sharedDir } from '../engine/util/paths';
import { AccessError, permittedPath } from './access';
import { audioView } from './domains/audio';
import { previewFolds } from './domains/experiment';
import { SupersededError, TaskPool, forkTaskSpawner, type TaskProcess } from './tasks';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'serwb-tasks-'));
const spawned: TaskProcess[] = [];
const pool = new TaskPool((env) => {
  const p = forkTaskSpawner(env);
  spawned.push(p);
  return p;
});

/** A run folder with one fold of saved activations: enough points that a t-SNE takes a while. */
function fakeRunWithActivations(points: number, dims: number): string {
  const run = path.join(tmp, 'run');
  const fold = path.join(run, 'folds', 'fold-01');
  fs.mkdirSync(fold, { recursive: true });
  const rand = mulberry32(7);
  const data = new Float32Array(points * dims).map(() => rand());
  fs.writeFileSync(path.join(fold, 'activations.f32'), Buffer.from(data.buffer));
  const ids = Array.from({ length: points }, (_, i) => `u${i}.wav`);
  fs.writeFileSync(path.join(fold, 'activations.json'), JSON.stringify({ shape: [points, dims], ids }));
  return run;
}

beforeAll(() => fs.mkdirSync(tmp, { recursive: true }));
afterAll(() => {
  pool.shutdown();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('TaskPool with real worker processes', () => {
  it('runs an audio view in a worker, with the in-process result', async () => {
    const file = path.join(sharedDir(), 'data', 'ravdess', 'Actor_01', '03-01-01-01-01-01-01.wav');
    const fromWorker = await pool.run('audio.view', { file, columns: 200 });
    expect(spawned.length).toBe(1);
    expect(fromWorker).toEqual(JSON.parse(JSON.stringify(await audioView(file, 200))));
  });

  it('previews folds and checks a run corpus in a worker (indexing stays off the face), with the in-process result', async () => {
    const dir = path.join(sharedDir(), 'data', 'ravdess');
    const config = { data: { dir }, crossValidation: { scheme: 'loso' } };
    const roots = [dir];
    const inProcess = await previewFolds(config, (d) => permittedPath(roots, d));
    expect(await pool.run('folds.preview', { config, roots })).toEqual(JSON.parse(JSON.stringify(inProcess)));
    expect(inProcess.folds).toHaveLength(4);
    await expect(pool.run('runs.check', { config, roots })).resolves.toBeUndefined();
    const outside = await pool.run('runs.check', { config, roots: [tmp] }).catch((e: unknown) => e);
    expect(outside).toBeInstanceOf(AccessError);
  });

  it("drops a form's older previews still queued behind a newer one, and only that form's", async () => {
    const dir = path.join(sharedDir(), 'data', 'ravdess');
    const roots = [dir];
    const preview = (scheme: string, channel: string) =>
      pool
        .run(
          'folds.preview',
          { config: { data: { dir }, crossValidation: { scheme, k: 2 } }, roots },
          { supersede: channel },
        )
        .then(
          (r) => (r as { folds: unknown[] }).folds.length,
          (e: unknown) => e,
        );
    // The first starts at once (the lane was idle); the second waits and is superseded by the
    // third from the same form; the fourth comes from another form and keeps its place.
    const running = preview('loso', 'form-a');
    const superseded = preview('kfold', 'form-a');
    const newest = preview('kfold', 'form-a');
    const other = preview('loso', 'form-b');
    expect(await running).toBe(4);
    const dropped = await superseded;
    expect(dropped).toBeInstanceOf(SupersededError);
    expect(dropped).toBeInstanceOf(CancelledError);
    expect((dropped as Error).message).toBe('superseded by a newer request');
    expect(await newest).toBe(2);
    expect(await other).toBe(4);
  });

  it('returns user and access errors as the same kinds of error', async () => {
    const empty = path.join(tmp, 'empty');
    fs.mkdirSync(empty);
    const indexErr = await pool.run('datasets.index', { dir: empty }).catch((e: unknown) => e);
    expect(indexErr).toBeInstanceOf(UserError);
    expect((indexErr as Error).message).toContain('no WAV or FLAC files found');

    const config = { data: { dir: path.join(sharedDir(), 'data', 'ravdess') } };
    const accessErr = await pool
      .run('experiment.layers', { config, roots: [empty] })
      .catch((e: unknown) => e);
    expect(accessErr).toBeInstanceOf(AccessError);
    expect((accessErr as Error).message).toContain('outside the folders this workbench may open');
  });

  it('streams t-SNE progress and cancels it; the lane then runs the next task', async () => {
    const run = fakeRunWithActivations(1500, 32);
    const progress: number[] = [];
    const started = pool.run(
      'results.tsne',
      { runDir: run, fold: 0, perplexity: 30 },
      { taskId: 'tsne-1', onProgress: (p) => progress.push(p.done) },
    );
    const outcome = started.then(
      () => 'finished',
      (e: unknown) => e,
    );
    while (progress.length < 2) await new Promise((r) => setTimeout(r, 20));
    expect(pool.has('tsne-1')).toBe(true);
    expect(pool.cancel('tsne-1')).toBe(true);
    expect(await outcome).toBeInstanceOf(CancelledError);
    expect(pool.has('tsne-1')).toBe(false);
    expect(pool.cancel('tsne-1')).toBe(false);
    // Same lane, after the cancel: a small t-SNE runs to the end.
    const small = fakeRunWithActivations(60, 8);
    const result = (await pool.run('results.tsne', { runDir: small, fold: 0, perplexity: 10 })) as {
      points: unknown[];
    };
    expect(result.points).toHaveLength(60);
  });

  it('runs a UMAP panel in the t-SNE lane when asked, cached apart from the t-SNE', async () => {
    const run = fakeRunWithActivations(60, 8);
    const umap = (await pool.run('results.tsne', {
      runDir: run,
      fold: 0,
      perplexity: 10,
      seed: 2,
      method: 'umap',
    })) as { points: { x: number; y: number }[]; panels: { method: string }[] };
    expect(umap.points).toHaveLength(60);
    expect(umap.points.every((p) => Number.isFinite(p.x) && Number.isFinite(p.y))).toBe(true);
    expect(umap.panels[0].method).toMatch(/^UMAP of fold 1's model .*umap-js, 10 neighbours/);
    expect(fs.existsSync(path.join(run, 'tsne', 'v4-fold-0-p10-s2-umap.json'))).toBe(true);
    const tsne = (await pool.run('results.tsne', { runDir: run, fold: 0, perplexity: 10, seed: 2 })) as {
      panels: { method: string }[];
    };
    expect(tsne.panels[0].method).toMatch(/^t-SNE of fold 1/);
  });

  it("adds a fold model's train/val activations as role-tagged points when asked, cached apart", async () => {
    const run = fakeRunWithActivations(30, 8);
    const fold = path.join(run, 'folds', 'fold-01');
    const rand = mulberry32(11);
    const n = 40;
    fs.writeFileSync(
      path.join(fold, 'activations-trainval.f32'),
      Buffer.from(new Float32Array(n * 8).map(() => rand()).buffer),
    );
    const ids = Array.from({ length: n }, (_, i) => `c${i}.wav`);
    fs.writeFileSync(
      path.join(fold, 'activations-trainval.json'),
      JSON.stringify({
        shape: [n, 8],
        ids,
        roles: ids.map((_, i) => (i < 30 ? 'train' : 'val')),
        paths: ids.map((id) => `/corpus/${id}`),
        labels: ids.map((_, i) => (i % 2 ? 'sad' : 'happy')),
        predicted: ids.map(() => 'sad'),
        speakers: ids.map((_, i) => (i < 30 ? 's1' : 's2')),
      }),
    );
    const args = { runDir: run, fold: 0, perplexity: 10, seed: 3 };
    const withContext = (await pool.run('results.tsne', { ...args, trainVal: true })) as {
      points: { role: string; file: string; path: string }[];
      panels: { method: string }[];
    };
    const roles = withContext.points.map((p) => p.role);
    expect(roles.filter((r) => r === 'test')).toHaveLength(30);
    expect(roles.filter((r) => r === 'train')).toHaveLength(30);
    expect(roles.filter((r) => r === 'val')).toHaveLength(10);
    expect(withContext.points.find((p) => p.file === 'c35.wav')).toMatchObject({
      role: 'val',
      path: '/corpus/c35.wav',
    });
    expect(withContext.panels[0].method).toContain('30 test + 30 train + 10 validation utterances');
    const testOnly = (await pool.run('results.tsne', args)) as { points: { role: string }[] };
    expect(testOnly.points.map((p) => p.role)).toEqual(new Array(30).fill('test'));
    const cached = fs.readdirSync(path.join(run, 'tsne')).filter((f) => f.includes('-s3'));
    expect(cached.sort()).toEqual(['v4-fold-0-p10-s3-trainval.json', 'v4-fold-0-p10-s3.json']);
    // A fold without them (trained before they were saved) says so instead of drawing less.
    fs.rmSync(path.join(fold, 'activations-trainval.json'));
    const err = await pool.run('results.tsne', { ...args, seed: 4, trainVal: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(/fold 1 saved no activations of its training and validation/);
  });

  it('fails the running task when its worker dies, and starts a new worker for the next', async () => {
    const run = fakeRunWithActivations(1500, 32);
    let seen = 0;
    const doomed = pool
      .run('results.tsne', { runDir: run, fold: 0, perplexity: 31 }, { onProgress: () => seen++ })
      .catch((e: unknown) => e);
    while (seen === 0) await new Promise((r) => setTimeout(r, 20));
    const before = spawned.length;
    spawned[spawned.length - 1].kill();
    const err = await doomed;
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(
      /task worker exited without a result \(code null, signal SIGKILL\)$/,
    );
    const small = fakeRunWithActivations(50, 8);
    await pool.run('results.tsne', { runDir: small, fold: 0, perplexity: 10 });
    expect(spawned.length).toBe(before + 1);
  });

  it('fails a task as cancelled when its cancel was accepted while its result was on the way', async () => {
    // The race CI met: tasks.cancel answered `cancelled: true`, then the worker's result (sent
    // before it read the cancel) arrived. The spawner cancels at exactly that moment: after the
    // real worker's result reached this process, before the pool reads it.
    let racing: TaskPool | null = null;
    const racingPool = new TaskPool((env) => {
      const p = forkTaskSpawner(env);
      spawned.push(p);
      return {
        ...p,
        onMessage: (listener) =>
          p.onMessage((m) => {
            if (m.type === 'result' && m.id === 'late') expect(racing!.cancel('late')).toBe(true);
            listener(m);
          }),
      };
    });
    racing = racingPool;
    try {
      const file = path.join(sharedDir(), 'data', 'ravdess', 'Actor_01', '03-01-01-01-01-01-01.wav');
      const late = await racingPool.run('audio.view', { file, columns: 50 }, { taskId: 'late' }).then(
        () => 'finished',
        (e: unknown) => e,
      );
      expect(late).toBeInstanceOf(CancelledError);
      expect(racingPool.has('late')).toBe(false);
      // The lane goes on with the same worker.
      await expect(racingPool.run('audio.view', { file, columns: 50 })).resolves.toBeTruthy();
    } finally {
      racingPool.shutdown();
    }
  });
});
