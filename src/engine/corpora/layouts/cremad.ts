import fs from 'node:fs';
import { parse as parseCsv } from 'csv-parse/sync';
import { FileError } from '../../util/errors';
import type { Emotion, FileLabel, Sex } from '../types';
import { labelEntry, lookup, NameError, stem, type Layout, type NameParser } from './layout';

const EMOTION: Record<string, Emotion> = {
  ANG: 'angry',
  DIS: 'disgust',
  FEA: 'fearful',
  HAP: 'happy',
  NEU: 'neutral',
  SAD: 'sad',
};
const LEVEL = new Set(['LO', 'MD', 'HI', 'XX']);
const NAME = /^(\d{4})_([A-Za-z]{3})_([A-Za-z]{3})_([A-Za-z]{2})$/;

/** Actor ID to sex, from CREMA-D's `VideoDemographics.csv` (columns ActorID, ..., Sex, ...). */
export function readCremadDemographics(file: string): Map<string, Sex> {
  let rows: Record<string, string>[];
  try {
    rows = parseCsv(fs.readFileSync(file), { columns: true, skip_empty_lines: true, trim: true, bom: true });
  } catch (err) {
    throw new FileError(file, `cannot read demographics: ${(err as Error).message}`);
  }
  const out = new Map<string, Sex>();
  for (const row of rows) {
    const actor = row.ActorID ?? row.actorid;
    const sex = (row.Sex ?? row.sex ?? '').toLowerCase();
    if (actor) out.set(actor, sex === 'male' ? 'male' : sex === 'female' ? 'female' : 'unknown');
  }
  return out;
}

/** `AudioWAV/AAAA_SSS_EMO_LVL.wav`: actor 1001–1091, sentence, emotion, level. */
export function parseCremad(id: string, sexByActor?: Map<string, Sex>): FileLabel {
  const m = NAME.exec(stem(id));
  if (!m) throw new NameError('not a CREMA-D name (AAAA_SSS_EMO_LVL)');
  const [, actor, , emotion, level] = m;
  const label = lookup(EMOTION, emotion.toUpperCase(), 'emotion');
  if (!LEVEL.has(level.toUpperCase())) throw new NameError(`unknown level code '${level}'`);
  return { speaker: actor, sex: sexByActor?.get(actor) ?? 'unknown', label };
}

export const cremad: NameParser = {
  name: 'cremad',
  matches: (id) => NAME.test(stem(id)),
  parse: (id) => parseCremad(id),
};

/** CREMA-D with sexes from the demographics file when the corpus folder has one. */
export function cremadLayout(demographicsFile?: string): Layout {
  const sexByActor = demographicsFile ? readCremadDemographics(demographicsFile) : undefined;
  return {
    name: 'cremad',
    entries: (ids) => ids.map((id) => labelEntry(id, () => parseCremad(id, sexByActor))),
  };
}
