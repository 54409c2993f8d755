/** Corpus folders: index one (through the engine) and shape it for the Datasets view. */
import type { CorpusIndex, Emotion, CorpusName } from '../../engine/corpora/types';
import type { Dataset, SpeakerRow } from '@shared/contract';
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../../engine/util/errors';

export interface IndexRequest {
  dir: string;
  corpus?: string;
  classes?: string[];
}

export async function loadIndex(
  req: IndexRequest,
  onProgress?: (done: number, total: number) => void,
): Promise<CorpusIndex> {
  const { indexCorpus } = await import('../../engine/corpora');
  return indexCorpus(req.dir, {
    corpus: (req.corpus ?? 'auto') as CorpusName | 'auto',
    onProgress,
    ...(req.classes ? { classes: req.classes as Emotion[] } : {}),
  });
}

/** Per-speaker class counts, speakers in natural order. */
export function speakerRows(index: Pick<CorpusIndex, 'utterances' | 'classes'>): SpeakerRow[] {
  const rows = new Map<string, SpeakerRow>();
  for (const u of index.utterances) {
    let row = rows.get(u.speaker);
    if (!row) {
      row = {
        speaker: u.speaker,
        sex: u.sex,
        total: 0,
        counts: Object.fromEntries(index.classes.map((c) => [c, 0])),
      };
      rows.set(u.speaker, row);
    }
    row.total += 1;
    row.counts[u.label] = (row.counts[u.label] ?? 0) + 1;
  }
  return [...rows.values()].sort((a, b) => a.speaker.localeCompare(b.speaker, undefined, { numeric: true }));
}

export function classCounts(index: Pick<CorpusIndex, 'utterances' | 'classes'>): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(index.classes.map((c) => [c, 0]));
  for (const u of index.utterances) counts[u.label] = (counts[u.label] ?? 0) + 1;
  return counts;
}

export async function toDataset(index: CorpusIndex): Promise<Dataset> {
  const { summarizeIndex } = await import('../../engine/corpora');
  const speakers = speakerRows(index);
  return {
    dir: index.root,
    corpus: index.corpus,
    classes: index.classes,
    hash: index.hash,
    numFiles: index.utterances.length,
    numSpeakers: speakers.length,
    totalDurationSec: index.utterances.reduce((s, u) => s + u.durationSec, 0),
    classCounts: classCounts(index),
    speakers,
    files: index.utterances.map((u) => ({
      path: u.path,
      id: u.id,
      speaker: u.speaker,
      sex: u.sex,
      label: u.label,
      durationSec: u.durationSec,
      sampleRate: u.sampleRate,
      channels: u.channels,
    })),
    skipped: index.skipped,
    summary: JSON.parse(JSON.stringify(summarizeIndex(index))),
  };
}

export async function indexDataset(
  req: IndexRequest,
  onProgress?: (done: number, total: number) => void,
): Promise<Dataset> {
  const index = await loadIndex(req, onProgress);
  if (index.utterances.length === 0) {
    throw new UserError(`${req.dir}: no usable audio files found (${index.skipped.length} skipped)`);
  }
  return toDataset(index);
}

const AUDIO = /\.(wav|flac)$/i;

/** One level of a folder for the picker: visible sub-folders, and how many audio files it holds. */
export function listFolder(dir: string, roots: string[]) {
  const entries = fs.readdirSync(dir, { withFileTypes: true }).filter((e) => !e.name.startsWith('.'));
  const folders = entries
    .filter((e) => e.isDirectory())
    .map((e) => ({ name: e.name, path: path.join(dir, e.name) }))
    .sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
  // Going up stops at the data folder the user configured.
  const atRoot = roots.some((r) => {
    try {
      return fs.realpathSync(r) === dir;
    } catch {
      return false;
    }
  });
  return {
    dir,
    parent: atRoot ? null : path.dirname(dir),
    folders,
    audioFiles: entries.filter((e) => e.isFile() && AUDIO.test(e.name)).length,
  };
}
