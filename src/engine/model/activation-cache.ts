/**
 * Disk cache of what the frozen part of YAMNet produces for each file: the 1024-d embedding per
 * patch (frozen mode) or the output of block K-1 per patch (trainFrom K). Computed once, reused by
 * every fold, every epoch and every later run with the same weights and front end.
 *
 * Layout: `<root>/<set>/meta.json` describes a set (weights sha256, front-end parameters, which
 * output, dtype); `<root>/<set>/<fileSha256>.act` holds one file:
 *   "SERA" | u32 header length | header JSON { steps, stepShape, dtype, sha256 } | data (f32 or f16, LE)
 * `sha256` covers the shape, dtype and data: an entry whose body does not match (a flipped byte keeps the length) is
 * deleted, counted as corrupt and recomputed, never used. No NaN or Inf is ever written.
 * Sets beyond the size limit are removed least-recently-used first, never the set in use.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic';
import { assertFinite, NonFiniteError } from '../util/finite';
import { sha256Json } from '../util/hash';
import { dataHome } from '../util/paths';
import { toFloat16 } from './float16';
import type { StepValues } from './sample';

const MAGIC = 'SERA';

export type CacheDtype = 'float32' | 'float16';

export interface ActivationSetKey {
  /** sha256 of the weight files (or "random:<seed>"). */
  weights: string[];
  /** Every front-end number (FeatureParams). */
  frontEnd: unknown;
  /** 'embedding' or 'block<N>' (output of block N; block0 = the log-mel patches). */
  output: string;
  dtype: CacheDtype;
}

export interface ActivationSetMeta extends ActivationSetKey {
  key: string;
  created: string;
  lastUsed: string;
  stepShape: number[];
}

export interface CachedSteps {
  steps: number;
  stepShape: number[];
  /**
   * float32, or the float16 bits of a float16 set as read from disk: kept so in memory (half the
   * bytes of the largest sets) and decoded per batch (sample.ts, copyStepValues).
   */
  data: StepValues;
}

export function defaultActivationCacheDir(): string {
  return path.join(dataHome(), 'cache', 'activations');
}

/** Default limit 4 GB; SER_CACHE_LIMIT_GB overrides. */
export function cacheLimitBytes(): number {
  const gb = Number(process.env.SER_CACHE_LIMIT_GB);
  return (Number.isFinite(gb) && gb > 0 ? gb : 4) * 1024 ** 3;
}

// IEEE 754 half precision (float16.ts): activations after ReLU span a modest range, and halving
// the cache is what makes trainFrom K with small K fit on disk.
export { fromFloat16, toFloat16 } from './float16';

/** Bumped with the entry layout; part of the set key, so entries of another layout are never read. */
const FORMAT = 2;

export class ActivationCache {
  readonly dir: string;
  readonly key: string;
  hits = 0;
  misses = 0;
  /** Entries found corrupt (checksum or layout), deleted and left to be recomputed. */
  corrupt = 0;
  /** Told of each corrupt entry (its path), so the run can say so. */
  onCorrupt?: (entry: string) => void;

  constructor(
    readonly setKey: ActivationSetKey,
    readonly stepShape: number[],
    root = defaultActivationCacheDir(),
  ) {
    this.key = sha256Json({ ...setKey, format: FORMAT }).slice(0, 32);
    this.dir = path.join(root, this.key);
    const metaFile = path.join(this.dir, 'meta.json');
    const now = new Date().toISOString();
    let created = now;
    try {
      created = (JSON.parse(fs.readFileSync(metaFile, 'utf8')) as ActivationSetMeta).created ?? now;
    } catch {
      // first use of this set
    }
    const meta: ActivationSetMeta = { ...setKey, key: this.key, created, lastUsed: now, stepShape };
    writeJsonAtomic(metaFile, meta);
  }

  entry(fileSha256: string): string {
    return path.join(this.dir, `${fileSha256}.act`);
  }

  get(fileSha256: string): CachedSteps | null {
    let buf: Buffer;
    try {
      buf = fs.readFileSync(this.entry(fileSha256));
    } catch {
      this.misses++;
      return null;
    }
    const parsed = decodeActivations(buf);
    if (!parsed) {
      fs.rmSync(this.entry(fileSha256), { force: true });
      this.corrupt++;
      this.onCorrupt?.(this.entry(fileSha256));
      this.misses++;
      return null;
    }
    this.hits++;
    return parsed;
  }

  /** Stores one file's steps; `file` (the audio path) names it if the values are not finite. */
  put(fileSha256: string, value: CachedSteps, file = fileSha256): void {
    writeFileAtomic(this.entry(fileSha256), encodeActivations(value, this.setKey.dtype, file));
  }
}

function encodeActivations(value: CachedSteps, dtype: CacheDtype, file: string): Buffer {
  if (!(value.data instanceof Float32Array))
    throw new Error(`activation cache: ${file} is stored from float32 values`);
  assertFinite(value.data, file, `YAMNet ${value.stepShape.length === 1 ? 'embeddings' : 'activations'}`);
  const body = dtype === 'float16' ? toFloat16(value.data) : value.data;
  // A finite float32 beyond ±65504 becomes ±Inf in half precision: refused like a NaN.
  if (body instanceof Uint16Array && body.some((h) => (h & 0x7c00) === 0x7c00))
    throw new NonFiniteError(file, 'YAMNet activations exceed the float16 range of the cache; not cached');
  const bodyBytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const sha256 = entryDigest(value.steps, value.stepShape, dtype, bodyBytes);
  const header = Buffer.from(
    JSON.stringify({ steps: value.steps, stepShape: value.stepShape, dtype, sha256 }),
    'utf8',
  );
  const head = Buffer.alloc(8);
  head.write(MAGIC, 0, 'latin1');
  head.writeUInt32LE(header.length, 4);
  return Buffer.concat([head, header, bodyBytes]);
}

/** sha256 over the shape, dtype and body: nothing an entry returns is outside the checksum. */
function entryDigest(steps: number, stepShape: number[], dtype: CacheDtype, body: Uint8Array): string {
  return createHash('sha256')
    .update(JSON.stringify([steps, stepShape, dtype]))
    .update(body)
    .digest('hex');
}

/** An entry's steps, or null when anything about it is wrong (layout, length, checksum). */
export function decodeActivations(buf: Buffer): CachedSteps | null {
  if (buf.length < 8 || buf.toString('latin1', 0, 4) !== MAGIC) return null;
  const len = buf.readUInt32LE(4);
  if (8 + len > buf.length) return null;
  let header: { steps: number; stepShape: number[]; dtype: CacheDtype; sha256: string };
  try {
    header = JSON.parse(buf.toString('utf8', 8, 8 + len));
  } catch {
    return null;
  }
  if (
    !header ||
    !Number.isInteger(header.steps) ||
    !Array.isArray(header.stepShape) ||
    !header.stepShape.every((d) => Number.isInteger(d) && d > 0) ||
    (header.dtype !== 'float16' && header.dtype !== 'float32') ||
    typeof header.sha256 !== 'string'
  )
    return null;
  const values = header.steps * header.stepShape.reduce((a, b) => a * b, 1);
  const body = buf.subarray(8 + len);
  const bytes = header.dtype === 'float16' ? 2 : 4;
  if (body.length !== values * bytes) return null;
  if (entryDigest(header.steps, header.stepShape, header.dtype, body) !== header.sha256) return null;
  const copy = new Uint8Array(body.length);
  copy.set(body);
  // float16 stays float16 (the checksum passed, and a finite float32 never encodes to Inf/NaN).
  const data = header.dtype === 'float16' ? new Uint16Array(copy.buffer) : new Float32Array(copy.buffer);
  return { steps: header.steps, stepShape: header.stepShape, data };
}

export interface ActivationSetUsage {
  key: string;
  output: string;
  dtype: CacheDtype;
  entries: number;
  bytes: number;
  lastUsed: string;
  weights: string[];
}

/** Every set on disk with its size. */
export function activationCacheUsage(root = defaultActivationCacheDir()): ActivationSetUsage[] {
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => {
      const dir = path.join(root, d.name);
      let meta: Partial<ActivationSetMeta> = {};
      try {
        meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8'));
      } catch {
        // a set without meta is still counted (and can be cleared)
      }
      let entries = 0;
      let bytes = 0;
      for (const f of fs.readdirSync(dir)) {
        const st = fs.statSync(path.join(dir, f));
        bytes += st.size;
        if (f.endsWith('.act')) entries++;
      }
      return {
        key: d.name,
        output: meta.output ?? 'unknown',
        dtype: meta.dtype ?? 'float32',
        entries,
        bytes,
        lastUsed: meta.lastUsed ?? new Date(fs.statSync(dir).mtimeMs).toISOString(),
        weights: meta.weights ?? [],
      };
    });
}

/** Removes least-recently-used sets (never `keep`) until the cache fits `limit`; returns removed keys. */
export function pruneActivationCache(
  keep: string,
  limit = cacheLimitBytes(),
  root = defaultActivationCacheDir(),
): string[] {
  const sets = activationCacheUsage(root).sort((a, b) => a.lastUsed.localeCompare(b.lastUsed));
  let total = sets.reduce((n, s) => n + s.bytes, 0);
  const removed: string[] = [];
  for (const s of sets) {
    if (total <= limit) break;
    if (s.key === keep) continue;
    fs.rmSync(path.join(root, s.key), { recursive: true, force: true });
    total -= s.bytes;
    removed.push(s.key);
  }
  return removed;
}

export function clearActivationCache(root = defaultActivationCacheDir()): { sets: number; bytes: number } {
  const sets = activationCacheUsage(root);
  fs.rmSync(root, { recursive: true, force: true });
  return { sets: sets.length, bytes: sets.reduce((n, s) => n + s.bytes, 0) };
}
