import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/schema';
import { synthesizeCorpus } from '../corpora';
import type { TrainEvent } from '../train/events';
import { listRuns, readRun, runExperiment } from '.';
import { foldDir, loadModel } from './store';

let tmp: string;
let corpus: string;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-runner-'));
  process.env.SER_WORKBENCH_HOME = path.join(tmp, 'home');
  corpus = path.join(tmp, 'corpus');
  await synthesizeCorpus(corpus, { speakers: 3, perClass: 3, seed: 5 });
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('runExperiment (frozen mode, in process)', () => {
  it('runs a complete LOSO cross-validation, writes the run folder, and keeps tfjs memory flat', async () => {
    const events: TrainEvent[] = [];
    const config = parseConfig({
      name: 'unit',
      model: { kind: 'yamnet-lstm', yamnet: { trainFrom: 'frozen' } },
      training: { epochs: 2, batchSize: 8 },
      backend: 'wasm',
    });
    const result = await runExperiment(config, {
      dataDir: corpus,
      outDir: path.join(tmp, 'runs'),
      onEvent: (e) => events.push(e),
    });

    expect(result.folds).toBe(3);
    expect(result.mode).toBe('frozen');
    expect(result.weights.source).toBe('reconstructed');
    expect(result.weights.files.length).toBe(5);
    expect(result.confusion.labels).toEqual(['angry', 'happy', 'sad', 'neutral']);
    const total = result.confusion.matrix.flat().reduce((a, b) => a + b, 0);
    expect(total).toBe(36);
    expect(result.averageAccuracy).toBeGreaterThanOrEqual(0);

    const dir = result.runDir;
    for (const f of [
      'config.json',
      'environment.json',
      'index.json',
      'folds.json',
      'status.json',
      'summary.json',
    ]) {
      expect(fs.existsSync(path.join(dir, f)), f).toBe(true);
    }
    const run = readRun(dir);
    expect(run.status?.state).toBe('done');
    expect(run.foldsDone).toEqual([0, 1, 2]);
    expect(run.config?.config.training.epochs).toBe(2);
    expect(run.summary?.mode).toBe('frozen');
    expect(run.summary?.folds.length).toBe(3);
    // Per-speaker results (sex from the index) and the intervals are part of summary.json.
    const stats = run.summary!.statistics!;
    expect(stats.perSpeaker.map((s) => s.n)).toEqual([12, 12, 12]);
    expect(stats.perSpeaker.every((s) => s.sex === 'male' || s.sex === 'female')).toBe(true);
    expect(stats.pooledAverageAccuracy).toMatchObject({
      method: 'bootstrap-speakers',
      speakers: 3,
      seed: 42,
    });
    expect(stats.pooledAverageAccuracy.estimate).toBeCloseTo(run.summary!.pooled.averageAccuracy!, 12);
    expect(stats.foldAverageAccuracy.n).toBe(3);
    expect((run.environment as { weights: { source: string } }).weights.source).toBe('reconstructed');

    for (let i = 0; i < 3; i++) {
      const fd = foldDir(dir, i);
      for (const f of [
        'metrics.json',
        'predictions.json',
        'history.json',
        'activations.f32',
        'activations.json',
        'done.json',
      ]) {
        expect(fs.existsSync(path.join(fd, f)), `${fd}/${f}`).toBe(true);
      }
      expect(fs.existsSync(path.join(fd, 'checkpoint.json'))).toBe(false);
      const preds = JSON.parse(fs.readFileSync(path.join(fd, 'predictions.json'), 'utf8'));
      expect(preds).toHaveLength(12);
      expect(Object.keys(preds[0]).sort()).toEqual([
        'id',
        'path',
        'predicted',
        'probabilities',
        'speaker',
        'true',
      ]);
      const p = Object.values(preds[0].probabilities as Record<string, number>).reduce((a, b) => a + b, 0);
      expect(p).toBeCloseTo(1, 5);
      const act = JSON.parse(fs.readFileSync(path.join(fd, 'activations.json'), 'utf8'));
      expect(act.shape).toEqual([12, 150]);
      expect(fs.statSync(path.join(fd, 'activations.f32')).size).toBe(12 * 150 * 4);
      const history = JSON.parse(fs.readFileSync(path.join(fd, 'history.json'), 'utf8'));
      expect(history.epochs).toHaveLength(2);
      expect(loadModel(path.join(fd, 'model')).weights['lstm1/kernel'].shape).toEqual([1024, 600]);
    }

    // Memory: the same number of live tensors after every fold.
    // (a developer's line: logged at 'debug' level, which views hide unless asked)
    const countLines = events.filter((e) => e.type === 'log' && e.message?.includes('numTensors'));
    expect(countLines.map((e) => e.level)).toEqual(['debug', 'debug', 'debug']);
    const counts = countLines.map((e) => Number(/= (\d+)/.exec(e.message!)![1]));
    expect(counts).toHaveLength(3);
    expect(new Set(counts).size).toBe(1);

    expect(events.filter((e) => e.type === 'epoch')).toHaveLength(6);
    expect(events.at(-1)?.type).toBe('done');
    expect(listRuns(path.join(tmp, 'runs')).map((r) => r.runDir)).toContain(dir);
  });

  it('trains YAMNet blocks 14 + head from the cached block-13 outputs (trainFrom 14)', async () => {
    const config = parseConfig({
      name: 'from14',
      model: { kind: 'yamnet-lstm', yamnet: { trainFrom: 14 } },
      training: { epochs: 1, batchSize: 12 },
      crossValidation: { scheme: 'kfold', k: 3 },
      backend: 'auto',
    });
    const result = await runExperiment(config, { dataDir: corpus, outDir: path.join(tmp, 'runs') });
    expect(result.mode).toBe('trainFrom14');
    expect(result.confusion.matrix.flat().reduce((a, b) => a + b, 0)).toBe(36);
    const model = loadModel(path.join(foldDir(result.runDir, 0), 'model'));
    expect(model.weights['yamnet/layer14/pointwise_conv/kernel'].shape).toEqual([1, 1, 1024, 1024]);
    expect(model.weights['yamnet/layer13/pointwise_conv/kernel']).toBeUndefined();
  });

  it('trains YAMNet block 14 on the WASM backend too (with the yamnet module gradient kernels)', async () => {
    const config = parseConfig({
      name: 'from14-wasm',
      model: { kind: 'yamnet-lstm', yamnet: { trainFrom: 14 } },
      training: { epochs: 1, batchSize: 12 },
      crossValidation: { scheme: 'kfold', k: 3 },
      backend: 'wasm',
    });
    const result = await runExperiment(config, { dataDir: corpus, outDir: path.join(tmp, 'runs') });
    expect(result.backend.name).toBe('wasm');
    expect(result.confusion.matrix.flat().reduce((a, b) => a + b, 0)).toBe(36);
  });
});

describe('runExperiment (baseline model)', () => {
  it('runs MFCC statistics + random forest over the same folds and writes a summary', async () => {
    const config = parseConfig({
      name: 'baseline',
      model: { kind: 'baseline', features: 'mfcc', classifiers: ['rf', 'svm'] },
    });
    const logs: string[] = [];
    const result = await runExperiment(config, {
      dataDir: corpus,
      outDir: path.join(tmp, 'runs'),
      onEvent: (e) => (e.message ? logs.push(e.message) : undefined),
    });
    // MFCC alone uses no YAMNet: no weights are loaded, logged, recorded or reported.
    expect(result.weights.source).toBe('none');
    expect(logs.join('\n')).not.toMatch(/YAMNet weights/);
    expect(logs.join('\n')).toContain('no YAMNet');
    const env = JSON.parse(fs.readFileSync(path.join(result.runDir, 'environment.json'), 'utf8'));
    expect(env.weights).toMatchObject({ source: 'none', files: [], init: 'none' });
    const { renderRunReport } = await import('../report');
    const md = await renderRunReport(result.runDir, 'md');
    expect(md).toContain('**weights**: none (these features use no YAMNet)');
    expect(md).not.toMatch(/reconstructed|sha256/);
    // SVM labels are the vote over the stored decision values, and say so.
    const { voteOf } = await import('../baselines/svm-decision');
    for (let i = 0; i < 3; i++) {
      const rows = JSON.parse(
        fs.readFileSync(
          path.join(result.runDir, 'cells', 'mfcc__svm', 'folds', `fold-0${i + 1}`, 'predictions.json'),
          'utf8',
        ),
      ) as {
        predicted: string;
        decision: { rule: string; labelOrder: string[]; pairs: { a: string; b: string; value: number }[] };
      }[];
      for (const r of rows) {
        expect(r.decision.rule).toMatch(/one-vs-one vote/);
        const order = r.decision.labelOrder;
        const pairs = r.decision.pairs.map((p) => ({
          a: order.indexOf(p.a),
          b: order.indexOf(p.b),
          value: p.value,
        }));
        expect(
          order[
            voteOf(
              pairs,
              order.map((_, k) => k),
            )
          ],
        ).toBe(r.predicted);
      }
    }
    expect(result.mode).toBe('baseline:mfcc/rf,svm');
    expect(result.folds).toBe(3);
    expect(result.confusion.matrix.flat().reduce((a, b) => a + b, 0)).toBe(36);
    const run = readRun(result.runDir);
    expect(run.summary?.model).toBe('mfcc+rf');
    expect(run.status?.state).toBe('done');
  });
});
