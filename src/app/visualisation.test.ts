/**
 * The all-speakers visualisation model on the shared RAVDESS subset (a real frozen run, all four
 * folds): trained on request in a real task worker with progress, its embedding labelled as not a
 * test result, the run's metrics and summary untouched; a cancelled training resumes from its
 * checkpoint to the same model as an uninterrupted one.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../engine/config/schema';
import { runExperiment } from '../engine/runs/runner';
import { readRun } from '../engine/runs/store';
import {
  readVisualisationModel,
  trainVisualisationModel,
  visualisationDir,
} from '../engine/runs/visualisation';
import { CancelledError } from '../engine/util/errors';
import { sharedDir } from '../engine/util/paths';
import { VISUALISATION_MODEL_LABEL } from '@shared/figure-title';
import type { TsneResult } from '@shared/contract';
import { TaskPool, forkTaskSpawner } from './tasks';

const ravdess = path.join(sharedDir(), 'data', 'ravdess');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'serwb-vis-'));
// Before the pool forks its workers: they inherit the data home (and its step cache).
process.env.SER_WORKBENCH_HOME = path.join(tmp, 'home');
const pool = new TaskPool(forkTaskSpawner);
let runDir: string;

/** sha256 of every file the run's results are read from (summary, per-fold metrics and predictions). */
function resultFiles(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'visualisation') walk(p);
      } else if (/^(summary|metrics|predictions|status|table)\.json$|\.f32$/.test(e.name)) {
        out[path.relative(dir, p)] = crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex');
      }
    }
  };
  walk(dir);
  return out;
}

function activations(dir: string): Float32Array {
  const b = fs.readFileSync(path.join(visualisationDir(dir), 'activations.f32'));
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

beforeAll(async () => {
  const config = parseConfig({
    name: 'vis',
    model: { kind: 'yamnet-lstm', yamnet: { trainFrom: 'frozen' } },
    training: { epochs: 2, batchSize: 8 },
  });
  runDir = (await runExperiment(config, { dataDir: ravdess, outDir: path.join(tmp, 'runs') })).runDir;
}, 300_000);

afterAll(() => {
  pool.shutdown();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('the visualisation model (trained on all speakers)', () => {
  it('trains in a task worker with progress and gives an embedding labelled as not a test result', async () => {
    const before = resultFiles(runDir);
    expect(Object.keys(before)).toContain('summary.json');
    const messages = new Set<string>();
    const result = (await pool.run(
      'results.visualisation',
      { runDir, perplexity: 15, seed: 1, epochs: 3 },
      { onProgress: (p) => messages.add(p.message ?? '') },
    )) as TsneResult;

    expect(messages).toContain('training the visualisation model');
    expect(messages).toContain('t-SNE');
    expect(result.visualisationModel).toEqual({
      label: VISUALISATION_MODEL_LABEL,
      epochs: 3,
      speakers: 4,
      utterances: 64,
    });
    expect(result.panels).toHaveLength(1);
    expect(result.method).toContain(VISUALISATION_MODEL_LABEL);
    expect(result.method).toContain('on its 64 utterances, all of which it was trained on');
    expect(result.points).toHaveLength(64);
    expect(new Set(result.points.map((p) => p.speaker)).size).toBe(4);
    expect(result.points.every((p) => p.fold === -1 && Number.isFinite(p.x))).toBe(true);
    // Stored apart from the folds; the results the run reports are byte for byte as they were.
    expect(readVisualisationModel(runDir)?.label).toBe(VISUALISATION_MODEL_LABEL);
    expect(fs.existsSync(path.join(visualisationDir(runDir), 'model', 'model.json'))).toBe(true);
    expect(resultFiles(runDir)).toEqual(before);
    const run = readRun(runDir);
    expect(run.foldsDone).toEqual([0, 1, 2, 3]);
    expect(run.summary?.folds).toHaveLength(4);
    expect(JSON.stringify(run.summary)).not.toContain('visualisation');

    // Asked again: the model and the embedding are reused (cached in the run folder).
    const again = (await pool.run('results.visualisation', {
      runDir,
      perplexity: 15,
      seed: 1,
      epochs: 3,
    })) as TsneResult;
    expect(again).toEqual(result);
  });

  it('is cancelled in its task worker mid-training, leaving a checkpoint and no model', async () => {
    fs.rmSync(visualisationDir(runDir), { recursive: true, force: true });
    let batches = 0;
    const outcome = pool
      .run(
        'results.visualisation',
        { runDir, perplexity: 15, seed: 1, epochs: 200 },
        {
          taskId: 'vis-cancel',
          onProgress: (p) => {
            if (p.message === 'training the visualisation model') batches = p.done;
          },
        },
      )
      .catch((e: unknown) => e);
    // Past the first epoch (8 batches), whose checkpoint is always written.
    while (batches < 12) await new Promise((r) => setTimeout(r, 20));
    expect(pool.cancel('vis-cancel')).toBe(true);
    expect(await outcome).toBeInstanceOf(CancelledError);
    expect(readVisualisationModel(runDir)).toBeNull();
    expect(fs.existsSync(path.join(visualisationDir(runDir), 'checkpoint.json'))).toBe(true);
  });

  it('resumes a cancelled training from its checkpoint to the same model as an uninterrupted one', async () => {
    fs.rmSync(visualisationDir(runDir), { recursive: true, force: true });
    const control = new AbortController();
    const stopped = await trainVisualisationModel(runDir, {
      epochs: 4,
      signal: control.signal,
      progress: (done, total, message) => {
        // Part way into epoch 3 (8 batches per epoch): epoch 1's checkpoint is on disk (the first
        // epoch trained always saves one).
        if (message.startsWith('training') && done === 2 * 8 + 3) control.abort();
      },
    }).catch((e: unknown) => e);
    expect(stopped).toBeInstanceOf(CancelledError);
    expect(readVisualisationModel(runDir)).toBeNull();
    expect(fs.existsSync(path.join(visualisationDir(runDir), 'checkpoint.json'))).toBe(true);

    const epochsSeen = new Set<number>();
    const resumed = await trainVisualisationModel(runDir, {
      epochs: 4,
      progress: (done, _total, message) => {
        if (message.startsWith('training')) epochsSeen.add(Math.ceil(done / 8));
      },
    });
    expect(resumed.epochs).toBe(4);
    expect(epochsSeen.has(1)).toBe(false);
    expect(epochsSeen.has(4)).toBe(true);
    const afterResume = activations(runDir);

    fs.rmSync(visualisationDir(runDir), { recursive: true, force: true });
    await trainVisualisationModel(runDir, { epochs: 4 });
    const uninterrupted = activations(runDir);
    expect(afterResume.length).toBe(uninterrupted.length);
    let worst = 0;
    for (let i = 0; i < uninterrupted.length; i++)
      worst = Math.max(worst, Math.abs(afterResume[i] - uninterrupted[i]));
    expect(worst).toBeLessThan(1e-5);
  });
});
