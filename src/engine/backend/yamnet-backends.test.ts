/**
 * YAMNet on the native backend: embeddings equal the WASM backend's (the reference for inference)
 * and the gradients of a fine-tuning step equal the cpu backend's (WASM cannot train convs).
 * Reconstructed weights from shared/ and a real RAVDESS utterance.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tf, useBackend } from './tf';
import { nativeForTests, relDiff } from './testing';
import { sharedDir } from '../util/paths';
import { loadMono16k } from '../audio';
import { waveformToPatches } from '../features/logmel';
import { readYamnetWeights, YamnetModel, buildYamnet, blockInputShape, type YamnetWeights } from '../yamnet';

const native = nativeForTests('YAMNet on tensorflow');
const weightsDir = path.join(sharedDir(), 'models', 'yamnet', 'tfjs-graph-reconstructed');
const wav = path.join(sharedDir(), 'data', 'ravdess', 'Actor_04', '03-01-03-01-02-01-04.wav');
const haveData = fs.existsSync(path.join(weightsDir, 'model.json')) && fs.existsSync(wav);
if (!haveData) process.stderr.write(`[YAMNet on tensorflow] skipping: ${weightsDir} or ${wav} missing\n`);
const itNative = native.run && haveData ? it : it.skip;

let weights: YamnetWeights;
let patches: { data: Float32Array; numPatches: number };

beforeAll(async () => {
  if (!native.run || !haveData) return;
  weights = (await readYamnetWeights(weightsDir)).weights;
  patches = waveformToPatches(await loadMono16k(wav));
}, 120_000);

describe('YAMNet: tensorflow vs wasm and cpu', () => {
  itNative('embeddings of a real utterance equal the wasm backend within 1e-4 relative', async () => {
    const embed = async (backend: 'tensorflow' | 'wasm') => {
      await useBackend(backend);
      const model = new YamnetModel(weights);
      const e = model.embed(patches);
      const data = (await e.data()) as Float32Array;
      e.dispose();
      model.dispose();
      return data;
    };
    const onTf = await embed('tensorflow');
    const onWasm = await embed('wasm');
    expect(patches.numPatches).toBeGreaterThan(1);
    expect(onTf.length).toBe(patches.numPatches * 1024);
    expect(relDiff(onTf, onWasm)).toBeLessThan(1e-4);
  });

  itNative(
    'a fine-tuning step (gradients of blocks 13-14) equals the cpu backend within 1e-4 relative',
    async () => {
      const shape = blockInputShape(13);
      const n = 1;
      const size = n * shape.reduce((p, q) => p * q, 1);
      const input = Float32Array.from({ length: size }, (_, i) => Math.abs(Math.sin(i * 0.37)) * 2);
      const grads = async (backend: 'tensorflow' | 'cpu') => {
        await useBackend(backend);
        const model = buildYamnet({ from: 13, weights });
        const x = tf.tensor(input, [n, ...shape]);
        const target = tf.tensor(
          Float32Array.from({ length: n * 1024 }, (_, i) => Math.cos(i)),
          [n, 1024],
        );
        const { grads: g } = tf.variableGrads(
          () => (model.apply(x) as tf.Tensor).mul(target).sum() as tf.Scalar,
        );
        const names = Object.keys(g).sort();
        const out = names.map((k) => g[k].dataSync() as Float32Array);
        tf.dispose([x, target, ...Object.values(g)]);
        model.dispose();
        return out;
      };
      const onTf = await grads('tensorflow');
      const onCpu = await grads('cpu');
      expect(onTf.length).toBe(onCpu.length);
      expect(onTf.length).toBeGreaterThanOrEqual(6);
      for (let i = 0; i < onCpu.length; i++) expect(relDiff(onTf[i], onCpu[i])).toBeLessThan(1e-4);
    },
  );
});
