import type { Emotion, FileLabel } from '../types';
import { lookup, NameError, stem, type NameParser } from './layout';

const EMOTION: Record<string, Emotion> = {
  '01': 'neutral',
  '02': 'calm',
  '03': 'happy',
  '04': 'sad',
  '05': 'angry',
  '06': 'fearful',
  '07': 'disgust',
  '08': 'surprised',
};
const MODALITY: Record<string, string> = { '01': 'audio-video', '02': 'video-only', '03': 'audio-only' };
const CHANNEL: Record<string, string> = { '01': 'speech', '02': 'song' };
const INTENSITY: Record<string, string> = { '01': 'normal', '02': 'strong' };
const NAME = /^(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)$/;

/** `Actor_AA/MM-VV-EE-II-SS-RR-AA.wav`; only audio-only speech (03, 01) is used. */
export function parseRavdess(id: string): FileLabel {
  const m = NAME.exec(stem(id));
  if (!m) throw new NameError('not a RAVDESS name (MM-VV-EE-II-SS-RR-AA)');
  const [, modality, channel, emotion, intensity, , , actor] = m;
  const modalityName = lookup(MODALITY, modality, 'modality');
  if (modality !== '03') throw new NameError(`not audio-only: modality ${modality} (${modalityName})`);
  const channelName = lookup(CHANNEL, channel, 'vocal channel');
  if (channel !== '01') throw new NameError(`not speech: vocal channel ${channel} (${channelName})`);
  const label = lookup(EMOTION, emotion, 'emotion');
  lookup(INTENSITY, intensity, 'intensity');
  const n = Number(actor);
  if (n < 1) throw new NameError(`unknown actor code '${actor}'`);
  return { speaker: actor, sex: n % 2 === 1 ? 'male' : 'female', label };
}

export const ravdess: NameParser = {
  name: 'ravdess',
  matches: (id) => NAME.test(stem(id)),
  parse: parseRavdess,
};
