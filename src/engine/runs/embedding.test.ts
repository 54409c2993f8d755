/**
 * A fold's t-SNE with its training and validation utterances: a real frozen run on the shared
 * RAVDESS subset (fold 1 only) writes the fold model's train/val activations at test time; the
 * embedding then holds test + train + val points with their roles, cached apart from the
 * test-only one, and the train/val activations are those of the fold's saved model.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/schema';
import { YamnetLstm } from '../model/ser-model';
import { computeSteps, setupYamnet, toSamples } from '../model/steps';
import { scoreSamples } from '../train/train-fold';
import { sharedDir } from '../util/paths';
import { resolveWeightsSource } from '../yamnet/store';
import { runTsne } from './embedding';
import { runExperiment } from './runner';
import { foldDir, loadModel, readFoldTrainValActivations, readJson } from './store';

const ravdess = path.join(sharedDir(), 'data', 'ravdess');
let tmp: string;
let runDir: string;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-embedding-'));
  process.env.SER_WORKBENCH_HOME = path.join(tmp, 'home');
  const config = parseConfig({
    name: 'trainval',
    model: { kind: 'yamnet-lstm', yamnet: { trainFrom: 'frozen' } },
    training: { epochs: 2, batchSize: 8 },
  });
  const result = await runExperiment(config, {
    dataDir: ravdess,
    outDir: path.join(tmp, 'runs'),
    onlyFolds: [0],
  });
  runDir = result.runDir;
}, 300_000);

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('a fold t-SNE with its training and validation utterances', () => {
  it('embeds test + train + val points of fold 1 with their roles, cached apart from the test-only one', async () => {
    const folds = readJson<{ folds: { test: string[]; validation: string[]; train: string[] }[] }>(
      path.join(runDir, 'folds.json'),
    ).folds;
    const fold = folds[0];
    const testOnly = await runTsne(runDir, 0, { perplexity: 10, seed: 1 });
    const withContext = await runTsne(runDir, 0, { perplexity: 10, seed: 1, trainVal: true });

    expect(testOnly.points.every((p) => p.role === 'test')).toBe(true);
    expect(new Set(testOnly.points.map((p) => p.speaker))).toEqual(new Set(fold.test));
    const byRole = (role: string) => withContext.points.filter((p) => p.role === role);
    // Every utterance of each role, with that role's speakers, and nothing else.
    expect(
      byRole('test')
        .map((p) => p.file)
        .sort(),
    ).toEqual(testOnly.points.map((p) => p.file).sort());
    expect(new Set(byRole('train').map((p) => p.speaker))).toEqual(new Set(fold.train));
    expect(new Set(byRole('val').map((p) => p.speaker))).toEqual(new Set(fold.validation));
    const perSpeaker = 16;
    expect(byRole('train')).toHaveLength(fold.train.length * perSpeaker);
    expect(byRole('val')).toHaveLength(fold.validation.length * perSpeaker);
    expect(withContext.points).toHaveLength(4 * perSpeaker);
    expect(withContext.points.every((p) => Number.isFinite(p.x) && Number.isFinite(p.y))).toBe(true);
    expect(withContext.points.every((p) => p.fold === 0 && p.path.endsWith('.wav'))).toBe(true);
    expect(withContext.panels).toHaveLength(1);
    expect(withContext.panels[0].method).toMatch(
      /^t-SNE of fold 1's model on its 16 test \+ 32 train \+ 16 validation utterances/,
    );
    expect(withContext.panels[0].trustworthiness?.value).toBeGreaterThan(0.5);
    // Same points, same seed: the test points of the two embeddings still differ, because the
    // train/val points took part in the second one (it is not the first with points added on top).
    expect(byRole('test').map((p) => [p.x, p.y])).not.toEqual(testOnly.points.map((p) => [p.x, p.y]));
    expect(fs.readdirSync(path.join(runDir, 'tsne')).sort()).toEqual([
      'v4-fold-0-p10-s1-trainval.json',
      'v4-fold-0-p10-s1.json',
    ]);
  });

  it("stores train/val activations computed by the fold's saved (best) model", async () => {
    const dir = foldDir(runDir, 0);
    const saved = readFoldTrainValActivations(dir)!;
    expect(saved.meta.roles.filter((r) => r === 'train')).toHaveLength(32);
    const model = loadModel<{ classes: string[]; lstmUnits: number[]; stepShape: number[] }>(
      path.join(dir, 'model'),
    );
    const setup = await setupYamnet('pretrained', 0, resolveWeightsSource().path);
    const files = saved.meta.ids.map((id, i) => ({ id, path: saved.meta.paths[i] }));
    const steps = await computeSteps(files, setup, {
      trainFrom: 'frozen',
      frontEnd: parseConfig({}).frontEnd,
    });
    const net = new YamnetLstm(
      model.description.stepShape,
      { lstmUnits: model.description.lstmUnits, numClasses: model.description.classes.length },
      0,
      null,
    );
    try {
      net.setWeights(model.weights);
      const samples = toSamples(
        saved.meta.ids.map((id, i) => ({ id, label: saved.meta.labels[i] })),
        steps.steps,
        model.description.classes,
      );
      const scores = scoreSamples(net, samples, model.description.classes.length);
      expect(scores.units).toBe(saved.dims);
      let worst = 0;
      for (let i = 0; i < scores.activations.length; i++)
        worst = Math.max(worst, Math.abs(scores.activations[i] - saved.data[i]));
      expect(worst).toBeLessThan(1e-4);
      expect(scores.predicted.map((c) => model.description.classes[c])).toEqual(saved.meta.predicted);
    } finally {
      net.dispose();
      setup.model.dispose();
    }
  });
});
