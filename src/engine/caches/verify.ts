/**
 * `cache verify`: every entry of every cache in the data folder checked against its checksum.
 * A corrupt entry is removed (the next run that needs it recomputes and rewrites it), so after a
 * verify every entry left is intact.
 */
import fs from 'node:fs';
import path from 'node:path';
import { decodeBaselineEntry, defaultBaselineCacheDir } from '../baselines/feature-cache';
import { indexCacheFileOk } from '../corpora/index-cache';
import { defaultFeatureCacheDir, featureEntryOk } from '../features/cache';
import { decodeActivations, defaultActivationCacheDir } from '../model/activation-cache';
import { dataHome } from '../util/paths';

export type CacheKind = 'features' | 'activations' | 'baseline' | 'index';

export interface CacheVerifyCounts {
  dir: string;
  ok: number;
  corrupt: number;
  removed: number;
  /** Paths of the corrupt entries. */
  corruptEntries: string[];
}

export type CacheVerifyReport = Record<CacheKind, CacheVerifyCounts>;

/** Entry files one or two levels below `dir` (shard or set folders) ending in `ext`. */
function entries(dir: string, ext: string): string[] {
  const out: string[] = [];
  const list = (d: string) => {
    try {
      return fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return [];
    }
  };
  for (const e of list(dir)) {
    const full = path.join(dir, e.name);
    if (e.isFile() && e.name.endsWith(ext)) out.push(full);
    else if (e.isDirectory())
      for (const f of list(full)) if (f.isFile() && f.name.endsWith(ext)) out.push(path.join(full, f.name));
  }
  return out.sort();
}

const CHECKS: Record<CacheKind, { dir: () => string; ext: string; ok: (file: string) => boolean }> = {
  features: {
    dir: defaultFeatureCacheDir,
    ext: '.f32c',
    ok: (f) => featureEntryOk(fs.readFileSync(f), f),
  },
  activations: {
    dir: defaultActivationCacheDir,
    ext: '.act',
    ok: (f) => decodeActivations(fs.readFileSync(f)) !== null,
  },
  baseline: {
    dir: defaultBaselineCacheDir,
    ext: '.f32',
    ok: (f) => decodeBaselineEntry(fs.readFileSync(f)) !== null,
  },
  index: { dir: () => path.join(dataHome(), 'cache', 'index'), ext: '.json', ok: indexCacheFileOk },
};

export const CACHE_KINDS = Object.keys(CHECKS) as CacheKind[];

/** Checks every entry of the given caches (default all), removing the corrupt ones. */
export function verifyCaches(kinds: CacheKind[] = CACHE_KINDS): Partial<CacheVerifyReport> {
  const report: Partial<CacheVerifyReport> = {};
  for (const kind of kinds) {
    const check = CHECKS[kind];
    const counts: CacheVerifyCounts = { dir: check.dir(), ok: 0, corrupt: 0, removed: 0, corruptEntries: [] };
    for (const file of entries(counts.dir, check.ext)) {
      let ok: boolean;
      try {
        ok = check.ok(file);
      } catch {
        ok = false; // unreadable counts as corrupt
      }
      if (ok) {
        counts.ok++;
        continue;
      }
      counts.corrupt++;
      counts.corruptEntries.push(file);
      try {
        fs.rmSync(file);
        counts.removed++;
      } catch {
        // left in place; the count says so
      }
    }
    report[kind] = counts;
  }
  return report;
}
