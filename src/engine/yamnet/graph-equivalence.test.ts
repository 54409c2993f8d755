/**
 * The layers model against the TF Hub graph model itself (tf.loadGraphModel on the same files),
 * on real utterances taken to 16 kHz mono by the project's own decoder and resampler.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMono16k } from '../audio';
import { initBackend, tf } from '../backend/tf';
import { waveformToPatches } from '../features/logmel';
import { sharedDir } from '../util/paths';
import { graphModelHandler } from './graph-format';
import { loadYamnet } from './load';
import type { YamnetModel } from './model';

const weightsDir = path.join(sharedDir(), 'models', 'yamnet', 'tfjs-graph-reconstructed');
const utterances = [
  path.join(sharedDir(), 'data', 'ravdess', 'Actor_01', '03-01-05-01-01-01-01.wav'),
  path.join(sharedDir(), 'data', 'ravdess', 'Actor_02', '03-01-03-01-02-01-02.wav'),
  path.join(sharedDir(), 'data', 'emodb', 'wav', '03a01Fa.wav'),
];
const available =
  fs.existsSync(path.join(weightsDir, 'model.json')) && utterances.every((u) => fs.existsSync(u));
if (!available)
  console.warn(`skipping the graph equivalence tests: ${weightsDir} or the utterances are missing`);

/** Frames [T, 64] → patches [N, 96, 64] with a hop of 48 frames, as the graph frames them. */
function frame(logMel: tf.Tensor2D): tf.Tensor3D {
  const n = 1 + Math.floor((logMel.shape[0] - 96) / 48);
  return tf.tidy(
    () => tf.stack(Array.from({ length: n }, (_, i) => logMel.slice([48 * i, 0], [96, 64]))) as tf.Tensor3D,
  );
}

/** ‖a_i − b_i‖ / ‖b_i‖ per row. */
function rowRelL2(a: tf.Tensor2D, b: tf.Tensor2D): number[] {
  return tf.tidy(() => Array.from(a.sub(b).norm('euclidean', 1).div(b.norm('euclidean', 1)).dataSync()));
}

describe.skipIf(!available)('layers model vs the TF Hub graph model (reconstructed weights)', () => {
  let graph: tf.GraphModel;
  let yamnet: YamnetModel;
  beforeAll(async () => {
    await initBackend();
    graph = await tf.loadGraphModel(graphModelHandler(weightsDir));
    yamnet = (await loadYamnet(weightsDir)).model;
  });
  afterAll(() => {
    graph?.dispose();
    yamnet?.dispose();
  });

  for (const file of utterances) {
    it(`matches patch by patch on ${path.basename(file)}`, async () => {
      const samples = await loadMono16k(file);
      const [gScores, gEmbeddings, gLogMel] = graph.execute({ waveform: tf.tensor1d(samples) }, [
        'Identity',
        'Identity_1',
        'Identity_2',
      ]) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
      const graphPatches = frame(gLogMel);
      expect(graphPatches.shape[0]).toBe(gScores.shape[0]);
      expect(graphPatches.shape[0]).toBeGreaterThanOrEqual(3);

      // The network: fed the graph's own log-mel, the layers model gives the graph's outputs.
      const { embeddings, scores } = yamnet.predict(graphPatches, { batchSize: 4 });
      for (const err of rowRelL2(embeddings, gEmbeddings)) expect(err).toBeLessThan(1e-4);
      for (const err of rowRelL2(scores, gScores)) expect(err).toBeLessThan(1e-4);

      // The front end: the project's log-mel patches equal the graph's.
      const ours = waveformToPatches(samples);
      expect(ours.numPatches).toBe(graphPatches.shape[0]);
      const diff = tf.tidy(
        () => tf.tensor3d(ours.data, [ours.numPatches, 96, 64]).sub(graphPatches).abs().max().dataSync()[0],
      );
      expect(diff).toBeLessThan(2e-3);

      tf.dispose([gScores, gEmbeddings, gLogMel, graphPatches, embeddings, scores]);
    });
  }
});
