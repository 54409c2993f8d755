import type { Emotion, FileLabel } from '../types';
import { lookup, NameError, type NameParser } from './layout';

const EMOTION: Record<string, Emotion> = {
  a: 'angry',
  d: 'disgust',
  f: 'fearful',
  h: 'happy',
  n: 'neutral',
  sa: 'sad',
  su: 'surprised',
};
const SPEAKERS = new Set(['DC', 'JE', 'JK', 'KL']);
/** `AudioData/DC/a01.wav` or flat `DC_a01.wav`. */
const SHAPE = /(?:^|\/)([A-Za-z]{2})[/_]([a-z]+)(\d+)\.[^./]+$/;

/** SAVEE: speaker DC, JE, JK, KL (all male), emotion prefix, number. */
export function parseSavee(id: string): FileLabel {
  const m = SHAPE.exec(id);
  if (!m) throw new NameError('not a SAVEE name (<speaker>/<emotion><nn> or <speaker>_<emotion><nn>)');
  const [, speaker, emotion] = m;
  if (!SPEAKERS.has(speaker.toUpperCase())) throw new NameError(`unknown speaker code '${speaker}'`);
  const label = lookup(EMOTION, emotion, 'emotion');
  return { speaker: speaker.toUpperCase(), sex: 'male', label };
}

export const savee: NameParser = {
  name: 'savee',
  matches: (id) => {
    const m = SHAPE.exec(id);
    return !!m && SPEAKERS.has(m[1].toUpperCase());
  },
  parse: parseSavee,
};
