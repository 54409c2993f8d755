import type { Emotion, FileLabel, Sex } from '../types';
import { lookup, NameError, stem, type NameParser } from './layout';

const EMOTION: Record<string, Emotion> = {
  W: 'angry',
  L: 'boredom',
  E: 'disgust',
  A: 'fearful',
  F: 'happy',
  T: 'sad',
  N: 'neutral',
};
const SEX: Record<string, Sex> = {
  '03': 'male',
  '10': 'male',
  '11': 'male',
  '12': 'male',
  '15': 'male',
  '08': 'female',
  '09': 'female',
  '13': 'female',
  '14': 'female',
  '16': 'female',
};
const NAME = /^(\d\d)([ab]\d\d)([A-Za-z])([a-z])$/;

/** `wav/SSTTTEV.wav`, e.g. `03a01Fa.wav`: speaker, text, emotion letter, version. */
export function parseEmodb(id: string): FileLabel {
  const m = NAME.exec(stem(id));
  if (!m) throw new NameError('not an EMO-DB name (SSTTTEV)');
  const [, speaker, , emotion] = m;
  const label = lookup(EMOTION, emotion, 'emotion');
  const sex = lookup(SEX, speaker, 'speaker');
  return { speaker, sex, label };
}

export const emodb: NameParser = {
  name: 'emodb',
  matches: (id) => NAME.test(stem(id)),
  parse: parseEmodb,
};
