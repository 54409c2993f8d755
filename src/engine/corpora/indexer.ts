import fs from 'node:fs';
import path from 'node:path';
import { decodeAudio } from '../audio/decode';
import { readAudioInfo } from '../audio/info';
import { FileError } from '../util/errors';
import { sha256Json } from '../util/hash';
import { chooseLayout } from './detect';
import { freshEntry, loadIndexCache, saveIndexCache, type CachedFile } from './index-cache';
import { scanCorpus, type FileStat } from './scan';
import {
  DEFAULT_CLASSES,
  EMOTIONS,
  type CorpusIndex,
  type Emotion,
  type FileLabel,
  type IndexOptions,
  type RepairedFile,
  type SkippedFile,
  type Utterance,
} from './types';

/** sha256 over the sorted (id, label, speaker, size) of the kept utterances and the classes. */
export function indexHash(classes: Emotion[], utterances: Utterance[]): string {
  const rows = utterances
    .map((u) => [u.id, u.label, u.speaker, u.size])
    .sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return sha256Json({ classes, rows });
}

async function readHeader(file: string, stat: FileStat): Promise<CachedFile> {
  try {
    const info = await readAudioInfo(file);
    if (!(info.durationSec > 0)) return { ...stat, error: 'no audio samples (zero length)' };
    // Integer PCM cannot hold NaN or Inf; float WAVs are decoded once here so that a broken one
    // is listed by the index rather than found mid-run (rare in corpora, so the cost is small).
    const nonFinite =
      info.sampleType === 'float'
        ? (await decodeAudio(file, { repairNonFinite: true })).repairedNonFinite
        : undefined;
    return {
      ...stat,
      sampleRate: info.sampleRate,
      channels: info.channels,
      durationSec: info.durationSec,
      ...(nonFinite ? { nonFinite } : {}),
    };
  } catch (err) {
    if (err instanceof FileError) return { ...stat, error: err.problem };
    throw err;
  }
}

function statFile(file: string): FileStat | undefined {
  const s = fs.statSync(file, { throwIfNoEntry: false });
  return s?.isFile() ? { size: s.size, mtimeMs: s.mtimeMs } : undefined;
}

/**
 * Indexes a corpus folder: detects (or uses the given) layout, labels every audio file, keeps
 * the selected classes and reads each kept file's header (duration, rate, channels). Files that
 * cannot be used are listed in `skipped` with the reason; the rest is indexed. Header reads are
 * cached per file (size + mtime) in the data folder; the corpus folder is only read.
 */
export async function indexCorpus(dir: string, opts: IndexOptions = {}): Promise<CorpusIndex> {
  const root = path.resolve(dir);
  const scan = scanCorpus(root);
  const layout = chooseLayout(root, scan, opts);
  const wanted = opts.classes ?? DEFAULT_CLASSES;
  const skipped: SkippedFile[] = [
    ...scan.skipped,
    ...scan.unsupported.map((id) => ({
      path: path.join(root, id),
      reason: 'unsupported audio format (WAV and FLAC are read)',
    })),
  ];

  const labelled: { id: string; file: FileLabel }[] = [];
  for (const entry of layout.entries([...scan.audio.keys()])) {
    if ('reason' in entry) skipped.push({ path: path.join(root, entry.id), reason: entry.reason });
    else if (wanted === 'all' || wanted.includes(entry.file.label)) labelled.push(entry);
  }

  const cache = opts.refresh
    ? new Map<string, CachedFile>()
    : loadIndexCache(root, (file) =>
        opts.onWarning?.(`corrupt index cache ${file}; every header is read again`),
      );
  const next = new Map<string, CachedFile>();
  // Keep what is still valid for files this selection did not read, so other selections reuse it.
  for (const [id, stat] of scan.audio) {
    const fresh = freshEntry(cache.get(id), stat);
    if (fresh) next.set(id, fresh);
  }
  const utterances: Utterance[] = [];
  const repaired: RepairedFile[] = [];
  let done = 0;
  let readCount = 0;
  for (const { id, file } of labelled) {
    const full = path.join(root, id);
    const stat = scan.audio.get(id) ?? statFile(full);
    if (!stat) {
      skipped.push({ path: full, reason: 'file not found' });
    } else {
      let info = next.get(id) ?? freshEntry(cache.get(id), stat);
      if (!info) {
        info = await readHeader(full, stat);
        next.set(id, info);
        readCount += 1;
      }
      if ('error' in info) skipped.push({ path: full, reason: info.error });
      else if (info.nonFinite && !opts.repairNonFinite) {
        const { count, first } = info.nonFinite;
        skipped.push({
          path: full,
          reason: `${count} non-finite sample(s) (NaN or Inf), the first at sample ${first[0]} (--repair-nonfinite sets them to zero)`,
        });
      } else {
        if (info.nonFinite) repaired.push({ path: full, ...info.nonFinite });
        utterances.push({
          path: full,
          id,
          speaker: file.speaker,
          sex: file.sex,
          label: file.label,
          durationSec: info.durationSec,
          sampleRate: info.sampleRate,
          channels: info.channels,
          size: stat.size,
          mtimeMs: stat.mtimeMs,
          ...(file.split ? { split: file.split } : {}),
        });
      }
    }
    opts.onProgress?.(++done, labelled.length);
  }
  // Rewrite the cache only when a file was read or one the cache knew has gone or changed.
  if (readCount > 0 || next.size !== cache.size) saveIndexCache(root, next);

  utterances.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  skipped.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const present = new Set(utterances.map((u) => u.label));
  const classes = wanted === 'all' ? EMOTIONS.filter((e) => present.has(e)) : [...wanted];
  return {
    corpus: layout.name,
    root,
    classes,
    utterances,
    skipped,
    ...(repaired.length ? { repaired } : {}),
    hash: indexHash(classes, utterances),
  };
}
