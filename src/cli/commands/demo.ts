import fs from 'node:fs';
import path from 'node:path';
import { parseConfig, type ExperimentConfigInput } from '../../engine/config/schema';
import { readSyntheticMarker, synthesizeCorpus } from '../../engine/corpora';
import { UserError } from '../../engine/util/errors';
import { dataHome } from '../../engine/util/paths';
import { downloadWeights, findWeightsSource } from '../../engine/yamnet/store';
import { parseCommand, printJson, progress } from '../args';
import { defaultParallel, printResultTable, resultDocument, runInWorker } from './run';

const usage = 'ser-workbench demo [--data DIR] [--out DIR] [--quick] [--parallel N] [--no-download] [--json]';

/** Synthetic corpus sizes: speakers × classes × per-class files; one LOSO fold per speaker. */
const SYNTH = {
  quick: { speakers: 4, perClass: 6, epochs: 12 },
  normal: { speakers: 6, perClass: 10, epochs: 20 },
};

interface DemoWeights {
  /** Weights path for pretrained YAMNet, or null for random weights. */
  path: string | null;
  warning?: string;
}

/** YAMNET_WEIGHTS or installed weights; else the official download; else random (with a warning). */
async function demoWeights(allowDownload: boolean): Promise<DemoWeights> {
  const found = findWeightsSource();
  if (found) return { path: found.path };
  if (allowDownload) {
    progress('no YAMNet weights installed: downloading the official TF Hub model...');
    try {
      const installed = await downloadWeights({ onProgress: () => undefined });
      return { path: installed.path };
    } catch (err) {
      progress(`download failed: ${(err as Error).message}`);
    }
  }
  const why = allowDownload ? 'none installed and the download failed' : 'none installed; download not tried';
  return {
    path: null,
    warning:
      `WARNING: no pretrained YAMNet weights (${why}): this demo runs from RANDOM ` +
      'weights, so its scores say nothing about pretrained YAMNet. Get weights with `ser-workbench weights download` ' +
      'or set YAMNET_WEIGHTS.',
  };
}

/**
 * The main job: a complete, small speaker-grouped cross-validation (frozen YAMNet, LSTM head) on a
 * synthetic corpus made on first use, or the paper's protocol (frozen mode) on a corpus given
 * with --data; prints the Table II-style results.
 */
export async function run(argv: string[]): Promise<number> {
  const args = parseCommand(
    argv,
    {
      data: { type: 'string' },
      out: { type: 'string' },
      quick: { type: 'boolean', default: false },
      parallel: { type: 'string' },
      'no-download': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
    usage,
  );
  if (!args) return 0;
  const { values, positionals } = args;
  if (positionals.length) throw new UserError(`unexpected argument '${positionals[0]}'\nusage: ${usage}`);
  const parallel = values.parallel !== undefined ? Number(values.parallel) : defaultParallel();
  if (!Number.isInteger(parallel) || parallel < 1)
    throw new UserError(`--parallel must be a positive integer`);

  const weights = await demoWeights(!values['no-download']);
  if (weights.warning) progress(weights.warning);
  const yamnet = { weights: weights.path ? 'pretrained' : 'random', trainFrom: 'frozen' } as const;

  let dataDir: string;
  let input: ExperimentConfigInput;
  let corpusLabel: string;
  if (values.data) {
    dataDir = path.resolve(values.data);
    if (!fs.existsSync(dataDir)) throw new UserError(`${dataDir}: no such folder`);
    // The paper's protocol (frozen backbone: fine-tuning is impractical on a CPU).
    const demos = /demos/i.test(path.basename(dataDir));
    input = {
      name: `demo-${path.basename(dataDir)}`,
      model: { kind: 'yamnet-lstm', yamnet },
      crossValidation: demos ? { scheme: 'kfold', k: 10 } : { scheme: 'loso' },
    };
    corpusLabel = dataDir;
  } else {
    const size = values.quick ? SYNTH.quick : SYNTH.normal;
    dataDir = path.join(dataHome(), 'corpora', values.quick ? 'synthetic-demo-quick' : 'synthetic-demo');
    if (!readSyntheticMarker(dataDir)) {
      progress(
        `writing a synthetic corpus (${size.speakers} speakers x 4 classes x ${size.perClass}) to ${dataDir}`,
      );
      await synthesizeCorpus(dataDir, { speakers: size.speakers, perClass: size.perClass, seed: 7 });
    }
    // Few epochs and a larger step than the paper's 3e-4, so that the small demo learns in minutes.
    input = {
      name: values.quick ? 'demo-quick' : 'demo',
      model: { kind: 'yamnet-lstm', yamnet },
      training: { epochs: size.epochs, learningRate: 1e-3, batchSize: 16 },
      crossValidation: { scheme: 'loso' },
    };
    corpusLabel = `synthetic corpus ${dataDir}`;
  }
  const config = parseConfig(input);
  progress(`demo: ${corpusLabel}; YAMNet ${yamnet.weights} (frozen), LOSO, ${config.training.epochs} epochs`);
  const result = await runInWorker({
    config,
    dataDir,
    ...(values.out ? { outDir: path.resolve(values.out) } : {}),
    ...(weights.path ? { weightsSource: weights.path } : {}),
    parallel,
  });
  if (values.json) {
    printJson({
      ...resultDocument(result),
      corpus: dataDir,
      ...(weights.warning ? { warning: weights.warning } : {}),
    });
    return 0;
  }
  const w = result.weights;
  const hash = w.files.find((f) => f.name !== 'model.json')?.sha256.slice(0, 12);
  const title =
    `YAMNet-LSTM (frozen YAMNet, LSTM head trained) — YAMNet weights: ${w.source}` +
    (hash ? ` (sha256 ${hash}…)` : '') +
    (weights.warning ? ' — RANDOM WEIGHTS, NOT PRETRAINED' : '');
  await printResultTable(result.runDir, title);
  if (weights.warning) process.stdout.write(`\n${weights.warning}\n`);
  return 0;
}
