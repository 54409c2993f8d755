import fs from 'node:fs';
import path from 'node:path';
import wavefile from 'wavefile';
import { TARGET_RATE } from '../../audio/resample';
import { writeFileAtomic, writeJsonAtomic } from '../../util/atomic';
import { UserError } from '../../util/errors';
import { deriveSeed, mulberry32 } from '../../util/random';
import {
  readSyntheticMarker,
  SYNTHETIC_FORMAT,
  SYNTHETIC_MARKER,
  type SyntheticMarker,
} from '../synthetic-marker';
import { DEFAULT_CLASSES, EMOTIONS, type Emotion } from '../types';
import { makeVoice, PROSODY, synthesizeUtterance } from './voice';

export interface SynthOptions {
  /** Number of speakers (alternating male, female, ...). */
  speakers: number;
  /** Utterances per class and speaker. */
  perClass: number;
  seed: number;
  classes?: Emotion[];
  /** Default the front end's rate (16 kHz). */
  sampleRate?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface SynthResult {
  root: string;
  files: number;
  marker: SyntheticMarker;
}

export const SYNTH_MANIFEST = 'manifest.csv';

function toInt16(x: Float32Array): Int16Array {
  const out = new Int16Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = Math.max(-32768, Math.min(32767, Math.round(x[i] * 32767)));
  return out;
}

/** Refuses to write into a folder holding anything but an earlier synthetic corpus. */
function prepareDir(root: string): void {
  if (fs.existsSync(root)) {
    if (!fs.statSync(root).isDirectory()) throw new UserError(`${root}: exists and is not a folder`);
    const entries = fs.readdirSync(root).filter((n) => !n.startsWith('.'));
    if (entries.length > 0 && !readSyntheticMarker(root)) {
      throw new UserError(`${root}: folder is not empty and not a synthetic corpus; choose an empty folder`);
    }
  }
  fs.mkdirSync(root, { recursive: true });
}

/**
 * Writes a seeded, deterministic synthetic emotional-speech corpus (16-bit mono WAV, 1–3 s):
 * `<speaker>/<label>/<speaker>_<label>_<nn>.wav`, a `manifest.csv` (path,label,speaker,sex) and
 * the `synthetic.json` marker by which the indexer detects it as corpus `synthetic`.
 */
export async function synthesizeCorpus(dir: string, opts: SynthOptions): Promise<SynthResult> {
  const { speakers, perClass, seed } = opts;
  const classes = opts.classes ?? [...DEFAULT_CLASSES];
  const sampleRate = opts.sampleRate ?? TARGET_RATE;
  if (!Number.isInteger(speakers) || speakers < 1) throw new UserError(`speakers must be a positive integer`);
  if (!Number.isInteger(perClass) || perClass < 1)
    throw new UserError(`per-class must be a positive integer`);
  if (!Number.isInteger(seed)) throw new UserError(`seed must be an integer`);
  if (!Number.isInteger(sampleRate) || sampleRate < 8000)
    throw new UserError(`sample rate must be ≥ 8000 Hz`);
  for (const c of classes) if (!EMOTIONS.includes(c)) throw new UserError(`unknown class '${c}'`);

  const root = path.resolve(dir);
  prepareDir(root);
  const width = String(speakers).length < 2 ? 2 : String(speakers).length;
  const voices = Array.from({ length: speakers }, (_, i) =>
    makeVoice(`S${String(i + 1).padStart(width, '0')}`, i, mulberry32(deriveSeed(seed, i))),
  );
  const rows = ['path,label,speaker,sex'];
  const total = speakers * classes.length * perClass;
  let done = 0;
  for (const [si, voice] of voices.entries()) {
    for (const label of classes) {
      for (let n = 0; n < perClass; n++) {
        const random = mulberry32(deriveSeed(seed, si, EMOTIONS.indexOf(label), n));
        const duration = 1 + 2 * random();
        const samples = synthesizeUtterance(voice, PROSODY[label], duration, sampleRate, random);
        const wav = new wavefile.WaveFile();
        wav.fromScratch(1, sampleRate, '16', toInt16(samples));
        const id = `${voice.speaker}/${label}/${voice.speaker}_${label}_${String(n + 1).padStart(2, '0')}.wav`;
        writeFileAtomic(path.join(root, id), wav.toBuffer());
        rows.push(`${id},${label},${voice.speaker},${voice.sex}`);
        opts.onProgress?.(++done, total);
      }
    }
  }
  writeFileAtomic(path.join(root, SYNTH_MANIFEST), rows.join('\n') + '\n');
  const marker: SyntheticMarker = {
    format: SYNTHETIC_FORMAT,
    version: 1,
    manifest: SYNTH_MANIFEST,
    params: { speakers, perClass, seed, classes, sampleRate },
    voices: voices.map((v) => ({ speaker: v.speaker, sex: v.sex, f0: v.f0 })),
  };
  writeJsonAtomic(path.join(root, SYNTHETIC_MARKER), marker);
  return { root, files: total, marker };
}
