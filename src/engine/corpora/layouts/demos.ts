import type { Emotion, FileLabel, Sex } from '../types';
import { lookup, NameError, stem, type NameParser } from './layout';

const EMOTION: Record<string, Emotion> = {
  rab: 'angry',
  gio: 'happy',
  tri: 'sad',
  neu: 'neutral',
  pau: 'fearful',
  dis: 'disgust',
  col: 'guilt',
  sor: 'surprised',
};
const SEX: Record<string, Sex> = { f: 'female', m: 'male' };
const SHAPE = /(?:^|_)[fm]_\d+_[a-z]{3}[^_]*$/i;

/**
 * `DEMOS/<PR|NP>_<f|m>_<ss>_<emo><xxx>.wav` and `NEU/<f|m>_<ss>_neu<xxx>.wav`, parsed from the
 * right (corpora.md). The speaker ID keeps the sex letter so that IDs stay unique even if the
 * corpus numbered women and men separately.
 */
export function parseDemos(id: string): FileLabel {
  const fields = stem(id).split('_');
  if (fields.length < 3) throw new NameError('not a DEMoS name (<f|m>_<ss>_<emo><xxx>)');
  const last = fields[fields.length - 1];
  const speakerCode = fields[fields.length - 2];
  const sexCode = fields[fields.length - 3].toLowerCase();
  if (!/^\d+$/.test(speakerCode)) throw new NameError(`unknown speaker code '${speakerCode}'`);
  const sex = lookup(SEX, sexCode, 'sex');
  const label = lookup(EMOTION, last.slice(0, 3).toLowerCase(), 'emotion');
  return { speaker: `${sexCode}_${speakerCode}`, sex, label };
}

export const demos: NameParser = {
  name: 'demos',
  matches: (id) => SHAPE.test(stem(id)),
  parse: parseDemos,
};
