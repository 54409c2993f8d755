/**
 * Corpus indexing (cold: every header read; warm: the index cache hit), synthetic-corpus
 * writing speed, and fold making at the paper's corpus sizes (RAVDESS 24 speakers × 60 files,
 * DEMoS 65 speakers).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { indexCorpus } from '../src/engine/corpora';
import { synthesizeCorpus } from '../src/engine/corpora/synth';
import type { FoldUtterance } from '../src/engine/folds';
import { makeFolds } from '../src/engine/folds';
import { sharedDir } from '../src/engine/util/paths';
import type { BenchRow } from './types';

const GROUP = 'corpora';

async function timed<T>(fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const t = performance.now();
  const value = await fn();
  return { ms: performance.now() - t, value };
}

function fakeCorpus(speakers: number, perSpeaker: number): FoldUtterance[] {
  const labels = ['angry', 'happy', 'sad', 'neutral'] as const;
  return Array.from({ length: speakers * perSpeaker }, (_, i) => ({
    speaker: `s${Math.floor(i / perSpeaker)}`,
    sex: Math.floor(i / perSpeaker) % 3 === 0 ? 'female' : 'male',
    label: labels[i % 4],
  }));
}

export async function bench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-corpora-'));
  const home = process.env.SER_WORKBENCH_HOME;
  process.env.SER_WORKBENCH_HOME = path.join(tmp, 'home');
  try {
    for (const name of ['ravdess', 'emodb']) {
      const dir = path.join(sharedDir(), 'data', name);
      const cold = await timed(() => indexCorpus(dir, { classes: 'all', refresh: true }));
      const warm = await timed(() => indexCorpus(dir, { classes: 'all' }));
      const n = cold.value.utterances.length;
      rows.push({ group: GROUP, name: `index ${name} cold`, value: cold.ms, unit: 'ms', note: `${n} files` });
      rows.push({
        group: GROUP,
        name: `index ${name} warm (cache)`,
        value: warm.ms,
        unit: 'ms',
        note: `${n} files`,
      });
    }

    const synth = await timed(() =>
      synthesizeCorpus(path.join(tmp, 'synth'), { speakers: 4, perClass: 5, seed: 1 }),
    );
    const audioSec = (await indexCorpus(path.join(tmp, 'synth'))).utterances.reduce(
      (s, u) => s + u.durationSec,
      0,
    );
    rows.push({
      group: GROUP,
      name: 'synth speed',
      value: audioSec / (synth.ms / 1000),
      unit: 'x real time',
      note: `${synth.value.files} files, ${audioSec.toFixed(1)} s of 16 kHz audio`,
    });

    const ravdessSize = fakeCorpus(24, 60);
    const loso = await timed(() => makeFolds(ravdessSize, { scheme: 'loso', seed: 1 }));
    rows.push({
      group: GROUP,
      name: 'makeFolds loso 24 speakers',
      value: loso.ms,
      unit: 'ms',
      note: '1440 files',
    });
    const demosSize = fakeCorpus(65, 18);
    const kfold = await timed(() => makeFolds(demosSize, { scheme: 'kfold', k: 10, seed: 1 }));
    rows.push({
      group: GROUP,
      name: 'makeFolds kfold k=10, 65 speakers',
      value: kfold.ms,
      unit: 'ms',
      note: '1170 files',
    });
  } finally {
    if (home === undefined) delete process.env.SER_WORKBENCH_HOME;
    else process.env.SER_WORKBENCH_HOME = home;
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return rows;
}
