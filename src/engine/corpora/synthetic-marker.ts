import fs from 'node:fs';
import path from 'node:path';
import { FileError } from '../util/errors';
import type { Emotion } from './types';

/** The marker file the synthesizer writes at the corpus root. */
export const SYNTHETIC_MARKER = 'synthetic.json';
export const SYNTHETIC_FORMAT = 'ser-workbench-synthetic-corpus';

export interface SyntheticMarker {
  format: typeof SYNTHETIC_FORMAT;
  version: 1;
  /** The CSV manifest (path,label,speaker,sex) beside the marker. */
  manifest: string;
  params: {
    speakers: number;
    perClass: number;
    seed: number;
    classes: Emotion[];
    sampleRate: number;
  };
  /** Per-speaker voice: sex and base pitch (Hz). */
  voices: { speaker: string; sex: 'male' | 'female'; f0: number }[];
}

/** The marker at a corpus root, or undefined when the folder is not a synthetic corpus. */
export function readSyntheticMarker(root: string): SyntheticMarker | undefined {
  const file = path.join(root, SYNTHETIC_MARKER);
  if (!fs.existsSync(file)) return undefined;
  let doc: SyntheticMarker;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new FileError(file, `unreadable synthetic-corpus marker: ${(err as Error).message}`);
  }
  if (doc?.format !== SYNTHETIC_FORMAT || typeof doc.manifest !== 'string') return undefined;
  return doc;
}
