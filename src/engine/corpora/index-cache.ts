import fs from 'node:fs';
import path from 'node:path';
import { writeJsonAtomic } from '../util/atomic';
import { sha256Json } from '../util/hash';
import { dataHome } from '../util/paths';
import type { NonFiniteReport } from '../audio/types';
import type { FileStat } from './scan';

/** What reading one file's header gave, valid while the file's size and mtime stay the same. */
export type CachedFile = FileStat &
  (
    | {
        sampleRate: number;
        channels: number;
        durationSec: number;
        /** Float WAVs only (the only kind that can hold them): NaN/Inf samples found. */
        nonFinite?: NonFiniteReport;
      }
    | { error: string }
  );

interface CacheDoc {
  /** 2: float WAVs carry their non-finite check, and `sha256` covers `files`. */
  version: 2;
  root: string;
  /** sha256 of the stable JSON of `files`: a damaged cache is detected and rebuilt, never used. */
  sha256: string;
  files: Record<string, CachedFile>;
}

/**
 * Per-corpus cache of header reads, in the user's data folder (never in the corpus folder).
 * Keyed by the root alone: header facts do not depend on the index options, so one cache serves
 * every class selection and layout choice; the labels are re-derived from the names each time.
 */
export function indexCacheFile(root: string): string {
  return path.join(dataHome(), 'cache', 'index', `${sha256Json({ root }).slice(0, 32)}.json`);
}

/**
 * The cached header reads of a corpus. Absent or of an older version: empty. Unparseable or
 * failing its checksum: deleted, reported through `onCorrupt`, and empty (so every header is read
 * again and the cache rewritten).
 */
export function loadIndexCache(root: string, onCorrupt?: (file: string) => void): Map<string, CachedFile> {
  const file = indexCacheFile(root);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return new Map();
  }
  try {
    const doc = JSON.parse(text) as Partial<CacheDoc> & { version?: number };
    if (doc.version !== 2) return new Map();
    if (
      doc.root === root &&
      doc.files &&
      typeof doc.files === 'object' &&
      sha256Json(doc.files) === doc.sha256
    )
      return new Map(Object.entries(doc.files));
  } catch {
    // unparseable: corrupt
  }
  fs.rmSync(file, { force: true });
  onCorrupt?.(file);
  return new Map();
}

export function saveIndexCache(root: string, files: Map<string, CachedFile>): void {
  const sorted = Object.fromEntries([...files].sort(([a], [b]) => (a < b ? -1 : 1)));
  const doc: CacheDoc = { version: 2, root, sha256: sha256Json(sorted), files: sorted };
  try {
    writeJsonAtomic(indexCacheFile(root), doc);
  } catch {
    // A cache that cannot be written only costs time on the next run.
  }
}

/** Whether an index cache file's body matches its checksum (for `cache verify`). */
export function indexCacheFileOk(file: string): boolean {
  try {
    const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<CacheDoc>;
    return doc.version === 2 && !!doc.files && sha256Json(doc.files) === doc.sha256;
  } catch {
    return false;
  }
}

/** The cached entry when the file has not changed since it was read. */
export function freshEntry(cached: CachedFile | undefined, stat: FileStat): CachedFile | undefined {
  return cached && cached.size === stat.size && cached.mtimeMs === stat.mtimeMs ? cached : undefined;
}
