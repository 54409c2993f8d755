import type { Emotion, FileLabel } from '../types';
import { lookup, NameError, stem, type NameParser } from './layout';

const EMOTION: Record<string, Emotion> = {
  angry: 'angry',
  disgust: 'disgust',
  fear: 'fearful',
  happy: 'happy',
  neutral: 'neutral',
  ps: 'surprised',
  pleasant_surprise: 'surprised',
  pleasant_surprised: 'surprised',
  sad: 'sad',
};
const SHAPE = /^(OAF|YAF)_[A-Za-z]+_[A-Za-z_]+$/i;

/** `OAF_angry/OAF_back_angry.wav`: speaker (OAF, YAF; both female), word, emotion. */
export function parseTess(id: string): FileLabel {
  const name = stem(id);
  if (!SHAPE.test(name)) throw new NameError('not a TESS name (<OAF|YAF>_<word>_<emotion>)');
  const [speaker, , ...emotion] = name.split('_');
  const label = lookup(EMOTION, emotion.join('_').toLowerCase(), 'emotion');
  return { speaker: speaker.toUpperCase(), sex: 'female', label };
}

export const tess: NameParser = {
  name: 'tess',
  matches: (id) => SHAPE.test(stem(id)),
  parse: parseTess,
};
