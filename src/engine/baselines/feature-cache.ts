/**
 * On-disk cache of per-utterance baseline feature vectors, one file per (audio content, feature
 * part, parameters): `<dir>/<key[0..2]>/<key>.f32`, raw float32 little-endian. The key is the
 * sha256 of the file's bytes' sha256 and the parameter object, so moving a file keeps its
 * entries and editing it or changing a parameter misses. Writes are atomic (temp + rename); an
 * entry of the wrong length is treated as missing and rewritten.
 */
import fs from 'node:fs';
import path from 'node:path';
import { dataHome } from '../util/paths';
import { sha256Json } from '../util/hash';
import { writeFileAtomic } from '../util/atomic';

export function defaultBaselineCacheDir(): string {
  return path.join(dataHome(), 'cache', 'baseline');
}

export interface BaselineCacheStats {
  hits: number;
  misses: number;
}

export class BaselineFeatureCache {
  readonly stats: BaselineCacheStats = { hits: 0, misses: 0 };

  constructor(readonly dir: string = defaultBaselineCacheDir()) {}

  static key(contentSha256: string, params: unknown): string {
    return sha256Json({ contentSha256, params });
  }

  private file(key: string): string {
    return path.join(this.dir, key.slice(0, 2), `${key}.f32`);
  }

  /** The cached vector, or null if absent or not `length` values long. */
  get(key: string, length: number): Float32Array | null {
    let buf: Buffer;
    try {
      buf = fs.readFileSync(this.file(key));
    } catch {
      this.stats.misses++;
      return null;
    }
    if (buf.length !== length * 4) {
      this.stats.misses++;
      return null;
    }
    this.stats.hits++;
    // Copy into an aligned buffer (a Buffer may share a pool at an unaligned offset).
    return new Float32Array(new Uint8Array(buf).buffer);
  }

  set(key: string, vector: Float32Array): void {
    writeFileAtomic(this.file(key), new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength));
  }
}
