import { UserError } from '../util/errors';
import { DEFAULT_CLASSES, EMOTIONS, type Emotion } from './types';

/** Spellings found in folder names and manifests (lower case), mapped to the canonical label. */
const SYNONYMS: Record<string, Emotion> = {
  neutral: 'neutral',
  neu: 'neutral',
  calm: 'calm',
  happy: 'happy',
  happiness: 'happy',
  hap: 'happy',
  joy: 'happy',
  sad: 'sad',
  sadness: 'sad',
  angry: 'angry',
  anger: 'angry',
  ang: 'angry',
  fearful: 'fearful',
  fear: 'fearful',
  fea: 'fearful',
  disgust: 'disgust',
  disgusted: 'disgust',
  dis: 'disgust',
  surprised: 'surprised',
  surprise: 'surprised',
  sur: 'surprised',
  ps: 'surprised',
  pleasant_surprise: 'surprised',
  pleasant_surprised: 'surprised',
  boredom: 'boredom',
  bored: 'boredom',
  guilt: 'guilt',
};

/** The canonical label for a free-text class name, or undefined when it is not one. */
export function normalizeLabel(text: string): Emotion | undefined {
  return SYNONYMS[
    text
      .trim()
      .toLowerCase()
      .replace(/[\s-]+/g, '_')
  ];
}

export function isEmotion(text: string): text is Emotion {
  return (EMOTIONS as readonly string[]).includes(text);
}

/** `--classes angry,happy` / `all`; empty means the paper's default four. */
export function parseClasses(spec: string | undefined): Emotion[] | 'all' {
  if (spec === undefined || spec.trim() === '') return [...DEFAULT_CLASSES];
  if (spec.trim().toLowerCase() === 'all') return 'all';
  const out: Emotion[] = [];
  for (const part of spec.split(',')) {
    const label = normalizeLabel(part);
    if (!label) throw new UserError(`unknown class '${part.trim()}' (known: ${EMOTIONS.join(', ')}, or all)`);
    if (!out.includes(label)) out.push(label);
  }
  return out;
}
