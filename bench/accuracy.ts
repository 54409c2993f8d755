/**
 * Accuracy and time of complete cross-validated runs, each in the training worker as
 * `ser-workbench run` starts it (fresh data home, so every cache is built once and timed):
 *
 * (a) issue 10 item 5 — RAVDESS subset (4 actors, LOSO): frozen, trainFrom 13, 11, 9 and full
 *     side by side: seconds per epoch, pooled UAR and mean fold UAR, activation cache build time
 *     and the estimate made before the run. Fine-tuning modes run fewer epochs than the paper's
 *     50 (FINE_TUNE_EPOCHS, FULL_EPOCHS) to keep the benchmark within minutes; `full` only where
 *     the native tensorflow backend is present.
 * (b) issue 8 item 4 — frozen mode, pretrained vs random YAMNet weights, on RAVDESS (4 speakers)
 *     and EMO-DB (10 speakers), LOSO: average and class accuracies and the wall time of each.
 * (c) issue 3 items 4/10 — wall time of a frozen LOSO run over a 24-speaker, 672-utterance
 *     synthetic corpus with RAVDESS-like durations (3.3–4.1 s): a proxy for full RAVDESS, on 2
 *     processes, with SCALE_EPOCHS epochs (the estimate gives the paper's 50).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import wavefile from 'wavefile';
import type { BenchRow } from './types';
import { loadNativeBackend } from '../src/engine/backend/native';
import type { ExperimentConfigInput } from '../src/engine/config/schema';
import { makeVoice, PROSODY, synthesizeUtterance } from '../src/engine/corpora/synth/voice';
import { DEFAULT_CLASSES, EMOTIONS } from '../src/engine/corpora/types';
import type { RunSummary } from '../src/engine/eval/types';
import { deriveSeed, mulberry32 as seededRandom } from '../src/engine/util/random';
import type { RunResult } from '../src/engine/runs/runner';
import type { RunCostEstimate } from '../src/engine/train/estimate';
import { formatEvent } from '../src/engine/train/events';
import { writeFileAtomic } from '../src/engine/util/atomic';
import { sharedDir } from '../src/engine/util/paths';
import { launchWorker } from '../src/worker/launch';

/** The paper's epochs, for frozen mode (cheap: the LSTM head on cached embeddings). */
const FROZEN_EPOCHS = 50;
const EMODB_EPOCHS = 30;
const FINE_TUNE_EPOCHS = 20;
const FULL_EPOCHS = 3;
const SCALE_EPOCHS = 10;
const PARALLEL = 2;

interface Measured {
  result: RunResult;
  summary: RunSummary;
  wallSec: number;
  cacheSec: number;
  cacheComputed: number;
  epochSec: number;
  estimate: RunCostEstimate | null;
}

function weightsPath(): string {
  return process.env.YAMNET_WEIGHTS ?? path.join(sharedDir(), 'models', 'yamnet', 'tfjs-graph-reconstructed');
}

/** Mean seconds per epoch over every fold's history. */
function meanEpochSec(runDir: string): number {
  const dir = path.join(runDir, 'folds');
  const secs: number[] = [];
  for (const f of fs.readdirSync(dir)) {
    const file = path.join(dir, f, 'history.json');
    if (!fs.existsSync(file)) continue;
    const h = JSON.parse(fs.readFileSync(file, 'utf8')) as { epochs: { seconds: number }[] };
    secs.push(...h.epochs.map((e) => e.seconds));
  }
  return secs.reduce((a, b) => a + b, 0) / Math.max(1, secs.length);
}

async function measureRun(
  name: string,
  config: ExperimentConfigInput,
  dataDir: string,
  home: string,
): Promise<Measured> {
  let estimate: RunCostEstimate | null = null;
  let cacheSec = NaN;
  let cacheComputed = 0;
  const t0 = performance.now();
  const result = await launchWorker(
    {
      config: { name, seed: 42, ...config },
      dataDir,
      outDir: path.join(home, 'runs'),
      parallel: PARALLEL,
      weightsSource: weightsPath(),
    },
    {
      env: { SER_WORKBENCH_HOME: home },
      onEvent: (e) => {
        if (e.estimate) estimate = e.estimate;
        const cache = /^step cache .*: (\d+) cached, (\d+) computed in ([\d.]+) s/.exec(e.message ?? '');
        if (cache) {
          cacheComputed = Number(cache[2]);
          cacheSec = Number(cache[3]);
        }
        if (e.type === 'log' || e.type === 'done' || (e.type === 'fold' && e.message?.startsWith('done')))
          process.stderr.write(`  [${name}] ${formatEvent(e)}\n`);
      },
    },
  );
  const wallSec = (performance.now() - t0) / 1000;
  const summary = JSON.parse(fs.readFileSync(path.join(result.runDir, 'summary.json'), 'utf8')) as RunSummary;
  return {
    result,
    summary,
    wallSec,
    cacheSec,
    cacheComputed,
    epochSec: meanEpochSec(result.runDir),
    estimate,
  };
}

/** 4 classes × 7 utterances × 24 speakers = 672, RAVDESS-length (3.3–4.1 s), with a CSV manifest. */
function writeProxyCorpus(root: string): number {
  const speakers = 24;
  const perClass = 7;
  const sampleRate = 16000;
  const rows = ['path,label,speaker,sex'];
  for (let si = 0; si < speakers; si++) {
    const voice = makeVoice(`S${String(si + 1).padStart(2, '0')}`, si, seededRandom(deriveSeed(7, si)));
    for (const label of DEFAULT_CLASSES) {
      for (let n = 0; n < perClass; n++) {
        const random = seededRandom(deriveSeed(7, si, EMOTIONS.indexOf(label), n));
        const samples = synthesizeUtterance(voice, PROSODY[label], 3.3 + 0.8 * random(), sampleRate, random);
        const pcm = Int16Array.from(samples, (x) => Math.max(-32768, Math.min(32767, Math.round(x * 32767))));
        const wav = new wavefile.WaveFile();
        wav.fromScratch(1, sampleRate, '16', pcm);
        const id = `${voice.speaker}/${voice.speaker}_${label}_${n + 1}.wav`;
        writeFileAtomic(path.join(root, id), wav.toBuffer());
        rows.push(`${id},${label},${voice.speaker},${voice.sex}`);
      }
    }
  }
  writeFileAtomic(path.join(root, 'manifest.csv'), rows.join('\n') + '\n');
  return rows.length - 1;
}

const r3 = (x: number | null | undefined) => (x === null || x === undefined ? 'n/a' : x.toFixed(3));

export async function bench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const push = (row: BenchRow) => {
    rows.push(row);
    process.stderr.write(`  ${row.group} | ${row.name} | ${row.value} ${row.unit} | ${row.note ?? ''}\n`);
  };
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-bench-accuracy-'));
  const home = path.join(tmp, 'home');
  const ravdess = path.join(sharedDir(), 'data', 'ravdess');
  const emodb = path.join(sharedDir(), 'data', 'emodb');
  const yam = (trainFrom: number | 'frozen' | 'full', weights: 'pretrained' | 'random' = 'pretrained') => ({
    kind: 'yamnet-lstm' as const,
    yamnet: { trainFrom, weights },
  });
  try {
    // (b) frozen, pretrained vs random, RAVDESS and EMO-DB; the RAVDESS pretrained run is (a)'s frozen row.
    const frozenRuns: Record<string, Measured> = {};
    for (const [corpus, dir, epochs] of [
      ['ravdess', ravdess, FROZEN_EPOCHS],
      ['emodb', emodb, EMODB_EPOCHS],
    ] as const) {
      for (const init of ['pretrained', 'random'] as const) {
        const m = await measureRun(
          `${corpus}-frozen-${init}`,
          { model: yam('frozen', init), training: { epochs } },
          dir,
          home,
        );
        frozenRuns[`${corpus}/${init}`] = m;
        const group = 'accuracy: frozen, pretrained vs random (issue 8)';
        const setup = `${corpus}, ${m.summary.scheme.folds} LOSO folds, ${epochs} epochs, ${init} YAMNet`;
        const note = `backend ${m.result.backend.name}; ${PARALLEL} processes`;
        push({
          group,
          name: `${setup}: average accuracy (pooled UAR)`,
          value: m.result.averageAccuracy ?? NaN,
          unit: '',
          note,
        });
        push({
          group,
          name: `${setup}: average accuracy (mean over folds)`,
          value: m.summary.meanSd.averageAccuracy.mean ?? NaN,
          unit: '',
          note: `sd ${r3(m.summary.meanSd.averageAccuracy.sd)}`,
        });
        for (const [cls, acc] of Object.entries(m.result.classAccuracy))
          push({
            group,
            name: `${setup}: class accuracy ${cls}`,
            value: acc ?? NaN,
            unit: '',
            note: 'pooled recall',
          });
        push({
          group,
          name: `${setup}: wall time`,
          value: m.wallSec,
          unit: 's',
          note: `${note}; embedding cache ${m.cacheSec.toFixed(1)} s for ${m.cacheComputed} files`,
        });
      }
    }

    // (c) the full-RAVDESS-sized proxy.
    const proxy = path.join(tmp, 'proxy');
    const t0 = performance.now();
    const files = writeProxyCorpus(proxy);
    const synthSec = (performance.now() - t0) / 1000;
    const scale = await measureRun(
      'proxy-frozen',
      { model: yam('frozen'), training: { epochs: SCALE_EPOCHS }, data: { corpus: 'csv' } },
      proxy,
      home,
    );
    const sg = 'accuracy: frozen LOSO at full-RAVDESS size (proxy, issue 3)';
    const sn = `synthetic proxy for full RAVDESS (not RAVDESS): 24 speakers, ${files} files of 3.3-4.1 s, 16 kHz`;
    push({
      group: sg,
      name: `frozen LOSO wall time, ${SCALE_EPOCHS} epochs, ${PARALLEL} processes`,
      value: scale.wallSec,
      unit: 's',
      note: `${sn}; cold embedding cache ${scale.cacheSec.toFixed(1)} s included; synthesis ${synthSec.toFixed(0)} s not included`,
    });
    push({
      group: sg,
      name: 'embedding cache build (672 files)',
      value: scale.cacheSec,
      unit: 's',
      note: sn,
    });
    push({
      group: sg,
      name: 'time per epoch (one fold, one process)',
      value: scale.epochSec,
      unit: 's',
      note: `${PARALLEL} processes share the machine`,
    });
    const trainSec = scale.wallSec - scale.cacheSec;
    push({
      group: sg,
      name: 'projected wall time at 50 epochs (measured cache + training scaled by 50/10)',
      value: scale.cacheSec + (trainSec * FROZEN_EPOCHS) / SCALE_EPOCHS,
      unit: 's',
      note: 'linear in epochs; worker start-up scaled too (over-estimates slightly)',
    });
    if (scale.estimate)
      push({
        group: sg,
        name: 'estimate before the run (estimateRunCost), same epochs',
        value: scale.estimate.totalSec,
        unit: 's',
        note: `${scale.estimate.perEpochSec.toFixed(2)} s/epoch estimated, ${scale.epochSec.toFixed(2)} measured`,
      });

    // (a) partial fine-tuning on RAVDESS: frozen (from (b)), trainFrom 13, 11, 9, full.
    const ag = 'accuracy: partial fine-tuning, RAVDESS LOSO (issue 10)';
    const modes: { label: string; trainFrom: number | 'frozen' | 'full'; epochs: number }[] = [
      { label: 'frozen', trainFrom: 'frozen', epochs: FROZEN_EPOCHS },
      { label: 'trainFrom 13', trainFrom: 13, epochs: FINE_TUNE_EPOCHS },
      { label: 'trainFrom 11', trainFrom: 11, epochs: FINE_TUNE_EPOCHS },
      { label: 'trainFrom 9', trainFrom: 9, epochs: FINE_TUNE_EPOCHS },
    ];
    const native = loadNativeBackend().ok;
    if (native) modes.push({ label: 'full', trainFrom: 'full', epochs: FULL_EPOCHS });
    for (const mode of modes) {
      const m =
        mode.trainFrom === 'frozen'
          ? frozenRuns['ravdess/pretrained']
          : await measureRun(
              `ravdess-${mode.label.replace(' ', '')}`,
              { model: yam(mode.trainFrom), training: { epochs: mode.epochs } },
              ravdess,
              home,
            );
      const where = `${mode.label} (${mode.epochs} epochs)`;
      const note = `backend ${m.result.backend.name}; ${mode.trainFrom === 'frozen' ? `${PARALLEL} processes` : '1 process'}`;
      push({ group: ag, name: `${where}: time per epoch`, value: m.epochSec, unit: 's', note });
      if (m.estimate)
        push({
          group: ag,
          name: `${where}: time per epoch estimated before the run`,
          value: m.estimate.perEpochSec,
          unit: 's',
          note: `${m.estimate.perStepSec.toFixed(3)} s/step over ${m.estimate.calibrationSteps} calibration steps`,
        });
      push({
        group: ag,
        name: `${where}: average accuracy (pooled UAR)`,
        value: m.result.averageAccuracy ?? NaN,
        unit: '',
        note,
      });
      push({
        group: ag,
        name: `${where}: average accuracy (mean over folds)`,
        value: m.summary.meanSd.averageAccuracy.mean ?? NaN,
        unit: '',
        note: `sd ${r3(m.summary.meanSd.averageAccuracy.sd)}`,
      });
      push({
        group: ag,
        name: `${where}: activation cache build`,
        value: m.cacheSec,
        unit: 's',
        note: `${m.cacheComputed} files computed (${mode.trainFrom === 'frozen' ? 'embeddings, float32' : mode.trainFrom === 'full' ? 'log-mel patches' : `block ${Number(mode.trainFrom) - 1} outputs, float16`})`,
      });
      push({ group: ag, name: `${where}: whole run`, value: m.wallSec, unit: 's', note });
    }
    if (!native)
      push({
        group: ag,
        name: 'full: not run',
        value: NaN,
        unit: 's',
        note: 'the tensorflow backend is not installed',
      });
    return rows;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
