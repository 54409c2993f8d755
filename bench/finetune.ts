/**
 * Fine-tuning speed per backend on real RAVDESS batches (shared/data/ravdess, pretrained weights):
 * one Adam step of the full YAMNet-LSTM (trainFrom 'full', head 150-150) on 24 utterances, taken
 * as training takes it (trainStep: split into passes of bounded memory; WASM needs 3), the YAMNet
 * forward pass over the same patches, and one step of the frozen-mode head on 24 embedding
 * sequences; each also as a throughput ratio against WASM. The cpu backend, ~1000x slower at
 * training YAMNet, steps on one patch (and runs 16 patches forward), so its ratios compare
 * per-patch throughput. Steps are repeated up to a time budget so that the whole bench stays
 * within about three minutes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchRow } from './types';
import { tf, useBackend, type BackendName } from '../src/engine/backend/tf';
import { loadNativeBackend } from '../src/engine/backend/native';
import { YamnetLstm, type Sample } from '../src/engine/model/ser-model';
import { splitIntoPasses, trainStep } from '../src/engine/train/train-fold';
import { loadTestYamnet, missingRealData, realBatch } from '../src/engine/model/testing/real-batch';
import { YamnetModel } from '../src/engine/yamnet/model';

const group = 'fine-tune';
const HEAD = { lstmUnits: [150, 150], numClasses: 4 };
const BATCH = 24;

interface Timing {
  /** Seconds per call (mean over the timed repeats, after one warm-up). */
  seconds: number;
  repeats: number;
}

/** Warm-up once, then repeat while the budget lasts (at least once, at most `max` times). */
async function timeRepeated(run: () => Promise<void>, budgetSec: number, max = 5): Promise<Timing> {
  const w0 = performance.now();
  await run();
  const warm = (performance.now() - w0) / 1000;
  const repeats = Math.max(1, Math.min(max, Math.floor(budgetSec / Math.max(warm, 1e-3))));
  const t0 = performance.now();
  for (let i = 0; i < repeats; i++) await run();
  return { seconds: (performance.now() - t0) / 1000 / repeats, repeats };
}

/** One Adam step of `model` on `batch`, as trainFold takes it (split into passes if too big). */
function stepper(model: YamnetLstm, batch: Sample[]): () => Promise<void> {
  const opt = tf.train.adam(1e-4);
  const weights = new Array<number>(HEAD.numClasses).fill(1);
  return async () => {
    trainStep(model, opt, batch, weights, HEAD.numClasses);
  };
}

function patchesOf(samples: Sample[], limit = Infinity): { data: Float32Array; numPatches: number } {
  const n = Math.min(
    limit,
    samples.reduce((k, s) => k + s.steps, 0),
  );
  const data = new Float32Array(n * 96 * 64);
  let at = 0;
  for (const s of samples) {
    const take = Math.min(s.steps, n - at);
    if (take <= 0) break;
    data.set(s.data.subarray(0, take * 96 * 64), at * 96 * 64);
    at += take;
  }
  return { data, numPatches: n };
}

interface Measured {
  /** Patches per second through a full fine-tuning step. */
  fineTune: number;
  /** Patches per second, forward. */
  forward: number;
  /** Utterances per second through a frozen-head step. */
  head: number;
}

export async function bench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const missing = missingRealData();
  if (missing) return [{ group, name: 'skipped', value: NaN, unit: '-', note: missing }];
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-bench-finetune-'));
  const savedHome = process.env.SER_WORKBENCH_HOME;
  process.env.SER_WORKBENCH_HOME = home;
  const backends: BackendName[] = ['wasm', ...(loadNativeBackend().ok ? ['tensorflow' as const] : []), 'cpu'];
  try {
    // Data: log-mel patches (no YAMNet involved) and frozen embeddings, computed once.
    await useBackend(backends.includes('tensorflow') ? 'tensorflow' : 'wasm');
    const setup = await loadTestYamnet();
    const full = await realBatch(setup, 'full', BATCH, home);
    const frozen = await realBatch(setup, 'frozen', BATCH, home);
    const weightsNote = `RAVDESS; YAMNet weights: ${setup.provenance.source}`;

    const measured: Partial<Record<BackendName, Measured>> = {};
    for (const name of backends) {
      try {
        await useBackend(name);
      } catch (err) {
        rows.push({
          group,
          name: `${name}: not available`,
          value: NaN,
          unit: '-',
          note: (err as Error).message,
        });
        continue;
      }
      const tiny = name === 'cpu';
      // cpu: one utterance cut to one patch (a step there takes ~20 s whatever the batch).
      const ftBatch = tiny
        ? [{ ...full.samples[0], steps: 1, data: full.samples[0].data.subarray(0, 96 * 64) }]
        : full.samples;
      const ftPatches = ftBatch.reduce((k, s) => k + s.steps, 0);
      const model = new YamnetLstm([96, 64], HEAD, 1, setup.model.build({ from: 1 }));
      const passes = splitIntoPasses(ftBatch, model.maxStepsPerPass).length;
      const ft = await timeRepeated(stepper(model, ftBatch), name === 'tensorflow' ? 12 : 0, 3);
      model.dispose();
      rows.push({
        group,
        name: `${name}: full fine-tuning step (YAMNet-LSTM, ${ftBatch.length} utt., ${ftPatches} patches)`,
        value: ft.seconds * 1000,
        unit: 'ms',
        note: `${(ftPatches / ft.seconds).toFixed(1)} patches/s; ${passes} pass(es) of <= ${model.maxStepsPerPass} patches; mean of ${ft.repeats} after a warm-up${tiny ? '; cpu: tiny batch' : ''}`,
      });

      const patches = patchesOf(full.samples, tiny ? 16 : Infinity);
      const yamnet = new YamnetModel(setup.model.weights);
      const fwd = await timeRepeated(
        async () => {
          const e = yamnet.embed(patches, { batchSize: 32 });
          await e.data();
          e.dispose();
        },
        tiny ? 0 : 6,
        3,
      );
      yamnet.dispose();
      rows.push({
        group,
        name: `${name}: YAMNet forward (${patches.numPatches} patches, batch 32)`,
        value: patches.numPatches / fwd.seconds,
        unit: 'patches/s',
        note: `mean of ${fwd.repeats} after a warm-up${tiny ? '; cpu: 16 patches' : ''}`,
      });

      const headModel = new YamnetLstm([1024], HEAD, 1);
      const hd = await timeRepeated(stepper(headModel, frozen.samples), 4, 10);
      headModel.dispose();
      rows.push({
        group,
        name: `${name}: frozen-head step (LSTM 150-150, ${frozen.samples.length} utt.)`,
        value: hd.seconds * 1000,
        unit: 'ms',
        note: `mean of ${hd.repeats} after a warm-up`,
      });
      measured[name] = {
        fineTune: ftPatches / ft.seconds,
        forward: patches.numPatches / fwd.seconds,
        head: frozen.samples.length / hd.seconds,
      };
    }

    const wasm = measured.wasm;
    for (const name of backends) {
      const m = measured[name];
      if (!m || name === 'wasm' || !wasm) continue;
      const per = name === 'cpu' ? ' (patches/s; cpu on 1 patch)' : ' (patches/s)';
      rows.push(
        {
          group,
          name: `${name}: full fine-tuning step vs wasm`,
          value: m.fineTune / wasm.fineTune,
          unit: 'x wasm',
          note: `throughput ratio${per}`,
        },
        {
          group,
          name: `${name}: YAMNet forward vs wasm`,
          value: m.forward / wasm.forward,
          unit: 'x wasm',
          note: 'patches/s ratio',
        },
        {
          group,
          name: `${name}: frozen-head step vs wasm`,
          value: m.head / wasm.head,
          unit: 'x wasm',
          note: 'utterances/s ratio',
        },
      );
    }
    rows.forEach((r) => (r.note = r.note ? `${r.note}; ${weightsNote}` : weightsNote));
    setup.model.dispose();
    return rows;
  } finally {
    if (savedHome === undefined) delete process.env.SER_WORKBENCH_HOME;
    else process.env.SER_WORKBENCH_HOME = savedHome;
    fs.rmSync(home, { recursive: true, force: true });
  }
}
