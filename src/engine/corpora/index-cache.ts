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
  version: 1;
  root: string;
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

export function loadIndexCache(root: string): Map<string, CachedFile> {
  try {
    const doc = JSON.parse(fs.readFileSync(indexCacheFile(root), 'utf8')) as CacheDoc;
    if (doc.version !== 1 || doc.root !== root) return new Map();
    return new Map(Object.entries(doc.files));
  } catch {
    return new Map();
  }
}

export function saveIndexCache(root: string, files: Map<string, CachedFile>): void {
  const doc: CacheDoc = {
    version: 1,
    root,
    files: Object.fromEntries([...files].sort(([a], [b]) => (a < b ? -1 : 1))),
  };
  try {
    writeJsonAtomic(indexCacheFile(root), doc);
  } catch {
    // A cache that cannot be written only costs time on the next run.
  }
}

/** The cached entry when the file has not changed since it was read. */
export function freshEntry(cached: CachedFile | undefined, stat: FileStat): CachedFile | undefined {
  return cached && cached.size === stat.size && cached.mtimeMs === stat.mtimeMs ? cached : undefined;
}
