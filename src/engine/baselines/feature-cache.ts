/**
 * On-disk cache of per-utterance baseline feature vectors, one file per (audio content, feature
 * part, parameters): `<dir>/<key[0..2]>/<key>.f32`, raw float32 little-endian followed by the
 * 32-byte sha256 of those bytes. The key is the sha256 of the file's bytes' sha256 and the
 * parameter object, so moving a file keeps its entries and editing it or changing a parameter
 * misses. Writes are atomic (temp + rename); an entry whose length or checksum is wrong is
 * counted as corrupt, deleted and recomputed; no NaN or Inf is ever written.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { dataHome } from '../util/paths';
import { sha256Json } from '../util/hash';
import { writeFileAtomic } from '../util/atomic';
import { assertFinite } from '../util/finite';

const DIGEST_BYTES = 32;

/** The vector of an entry's bytes, or null when its length or checksum is wrong. */
export function decodeBaselineEntry(buf: Buffer, length?: number): Float32Array | null {
  const bodyLength = buf.length - DIGEST_BYTES;
  if (bodyLength < 0 || bodyLength % 4 !== 0 || (length !== undefined && bodyLength !== length * 4))
    return null;
  const body = buf.subarray(0, bodyLength);
  const digest = createHash('sha256').update(body).digest();
  if (!digest.equals(buf.subarray(bodyLength))) return null;
  // Copy into an aligned buffer (a Buffer may share a pool at an unaligned offset).
  return new Float32Array(new Uint8Array(body).buffer);
}

export function defaultBaselineCacheDir(): string {
  return path.join(dataHome(), 'cache', 'baseline');
}

export interface BaselineCacheStats {
  hits: number;
  misses: number;
  /** Entries found with a wrong length or checksum: deleted and recomputed. */
  corrupt: number;
}

export class BaselineFeatureCache {
  readonly stats: BaselineCacheStats = { hits: 0, misses: 0, corrupt: 0 };

  constructor(
    readonly dir: string = defaultBaselineCacheDir(),
    /** Told of each corrupt entry (its path), so a run can say so. */
    readonly onCorrupt?: (entry: string) => void,
  ) {}

  static key(contentSha256: string, params: unknown): string {
    return sha256Json({ contentSha256, params });
  }

  private file(key: string): string {
    return path.join(this.dir, key.slice(0, 2), `${key}.f32`);
  }

  /** The cached vector, or null if absent or corrupt (then deleted, to be recomputed). */
  get(key: string, length: number): Float32Array | null {
    const file = this.file(key);
    let buf: Buffer;
    try {
      buf = fs.readFileSync(file);
    } catch {
      this.stats.misses++;
      return null;
    }
    const vector = decodeBaselineEntry(buf, length);
    if (!vector) {
      this.stats.corrupt++;
      this.stats.misses++;
      fs.rmSync(file, { force: true });
      this.onCorrupt?.(file);
      return null;
    }
    this.stats.hits++;
    return vector;
  }

  /** Stores a vector; `source` (the audio file) names it if the values are not finite. */
  set(key: string, vector: Float32Array, source = key): void {
    assertFinite(vector, source, 'baseline features');
    const body = Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
    const digest = createHash('sha256').update(body).digest();
    writeFileAtomic(this.file(key), Buffer.concat([body, digest]));
  }
}
