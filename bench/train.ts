/**
 * Experiment-runner speed on the current backend, over the RAVDESS subset in shared/data (4
 * actors, 64 files): building the embedding cache (frozen mode) and the block-10 cache
 * (trainFrom 11), one training step of each mode, and a complete frozen-mode LOSO run (4 folds,
 * the paper's 50 epochs, one process).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchRow } from './types';
import { initBackend, tf } from '../src/engine/backend/tf';
import { canFineTune } from '../src/engine/backend/describe';
import { parseConfig } from '../src/engine/config/schema';
import { indexCorpus } from '../src/engine/corpora';
import { YamnetLstm, type Sample } from '../src/engine/model/ser-model';
import { computeSteps, setupYamnet, toSamples } from '../src/engine/model/steps';
import { runExperiment } from '../src/engine/runs/runner';
import { sharedDir } from '../src/engine/util/paths';
import { resolveWeightsSource } from '../src/engine/yamnet/store';

const group = 'train';

function stepSeconds(model: YamnetLstm, batch: Sample[], numClasses: number, repeats = 5): number {
  const opt = tf.train.adam(3e-4);
  const step = () => {
    const loss = opt.minimize(
      () => {
        const y = tf.oneHot(
          tf.tensor1d(
            batch.map((s) => s.label),
            'int32',
          ),
          numClasses,
        );
        return tf.losses.softmaxCrossEntropy(y, model.forward(batch, true).logits) as tf.Scalar;
      },
      true,
      model.variables,
    );
    loss!.dataSync();
    loss!.dispose();
  };
  step();
  const t0 = performance.now();
  for (let i = 0; i < repeats; i++) step();
  opt.dispose();
  return (performance.now() - t0) / 1000 / repeats;
}

export async function bench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-bench-train-'));
  const savedHome = process.env.SER_WORKBENCH_HOME;
  process.env.SER_WORKBENCH_HOME = home;
  try {
    const backend = await initBackend('auto');
    const note = `backend ${backend.name}`;
    const data = path.join(sharedDir(), 'data', 'ravdess');
    const index = await indexCorpus(data, {});
    const classes = index.classes;
    const setup = await setupYamnet('pretrained', 42, resolveWeightsSource().path);

    const frozen = await computeSteps(index.utterances, setup, { trainFrom: 'frozen' });
    rows.push({
      group,
      name: 'embedding cache build (frozen, 64 RAVDESS files)',
      value: frozen.seconds,
      unit: 's',
      note,
    });
    const patches = [...frozen.steps.values()].reduce((n, s) => n + s.steps, 0);
    rows.push({
      group,
      name: 'embedding cache build per patch',
      value: (frozen.seconds * 1000) / patches,
      unit: 'ms',
      note: `${patches} patches; ${note}`,
    });

    const samples = toSamples(index.utterances, frozen.steps, classes).slice(0, 24);
    const head = new YamnetLstm([1024], { lstmUnits: [150, 150], numClasses: classes.length }, 1);
    rows.push({
      group,
      name: 'training step, frozen (LSTM head, batch 24)',
      value: stepSeconds(head, samples, classes.length) * 1000,
      unit: 'ms',
      note,
    });
    head.dispose();

    if (canFineTune(backend.name)) {
      const block10 = await computeSteps(index.utterances, setup, { trainFrom: 11 });
      rows.push({
        group,
        name: 'block-10 cache build (trainFrom 11, 64 files, float16)',
        value: block10.seconds,
        unit: 's',
        note,
      });
      const s11 = toSamples(index.utterances, block10.steps, classes).slice(0, 24);
      const m11 = new YamnetLstm(
        block10.stepShape,
        { lstmUnits: [150, 150], numClasses: classes.length },
        1,
        setup.model.build({ from: 11 }),
      );
      rows.push({
        group,
        name: 'training step, trainFrom 11 (blocks 11-14 + head, batch 24)',
        value: stepSeconds(m11, s11, classes.length, 3) * 1000,
        unit: 'ms',
        note,
      });
      m11.dispose();
    } else {
      rows.push({
        group,
        name: 'training step, trainFrom 11',
        value: NaN,
        unit: 'ms',
        note: `${backend.name} cannot train convolutions`,
      });
    }
    setup.model.dispose();

    const config = parseConfig({
      name: 'bench-ravdess-frozen',
      model: { kind: 'yamnet-lstm', yamnet: { trainFrom: 'frozen' } },
      crossValidation: { scheme: 'loso' },
    });
    const t0 = performance.now();
    const result = await runExperiment(config, { dataDir: data, outDir: path.join(home, 'runs') });
    rows.push({
      group,
      name: 'frozen LOSO run, RAVDESS subset (4 folds x 50 epochs, 1 process, cache warm)',
      value: (performance.now() - t0) / 1000,
      unit: 's',
      note: `${note}; pooled UAR ${result.averageAccuracy?.toFixed(3)}`,
    });
    return rows;
  } finally {
    if (savedHome === undefined) delete process.env.SER_WORKBENCH_HOME;
    else process.env.SER_WORKBENCH_HOME = savedHome;
    fs.rmSync(home, { recursive: true, force: true });
  }
}
