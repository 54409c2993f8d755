/**
 * On-disk cache of log-mel patches, keyed by the sha256 of the audio file's bytes and of the
 * feature parameters: renaming or moving a file keeps its entry, editing it or changing any
 * parameter misses.
 *
 * Entry file `<dir>/<key[0..2]>/<key>.f32c`:
 *   "SERF" | u32 version | u32 header length | header JSON (utf-8) | float32 LE patch data
 *   | sha256 of everything before it (32 bytes)
 * The header records shape, source info and the sha256 of the data; the trailing digest covers
 * the header too (a flipped digit of a duration is caught, not returned), so a torn or corrupted
 * entry is detected, counted, deleted and recomputed. Writes go to a temp file and are renamed
 * into place, so readers never see a partial entry.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { readAudioBytes } from '../audio';
import { assertFinite } from '../util/finite';
import { dataHome } from '../util/paths';
import { sha256Buffer, sha256Json } from '../util/hash';
import {
  extractFromBytes,
  featureParams,
  type ExtractOptions,
  type FeatureParams,
  type FileFeatures,
} from './frontend';
import type { Patches } from './logmel';

const MAGIC = 'SERF';
const FORMAT_VERSION = 2;
const DIGEST_BYTES = 32;

export interface CachedFeatures extends FileFeatures {
  /** Cache key (sha256 hex). */
  key: string;
  /** sha256 of the audio file's bytes. */
  fileSha256: string;
  fromCache: boolean;
}

export interface FeatureCacheStats {
  hits: number;
  misses: number;
  /** Entries found unreadable and recomputed. */
  corrupt: number;
  writes: number;
}

interface EntryHeader {
  key: string;
  fileSha256: string;
  numPatches: number;
  frames: Patches['frames'];
  bands: Patches['bands'];
  sampleRate: number;
  channels: number;
  durationSec: number;
  params: FeatureParams;
  dataSha256: string;
  repairedNonFinite?: FileFeatures['repairedNonFinite'];
}

export function defaultFeatureCacheDir(): string {
  return path.join(dataHome(), 'cache', 'features');
}

/** The cache key of a file content hash under some parameters. */
export function featureCacheKey(fileSha256: string, params: FeatureParams): string {
  return sha256Json({ fileSha256, params, format: FORMAT_VERSION });
}

function encodeEntry(header: EntryHeader, data: Float32Array): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const head = Buffer.alloc(12);
  head.write(MAGIC, 0, 'latin1');
  head.writeUInt32LE(FORMAT_VERSION, 4);
  head.writeUInt32LE(json.length, 8);
  const entry = Buffer.concat([head, json, littleEndianBytes(data)]);
  return Buffer.concat([entry, createHash('sha256').update(entry).digest()]);
}

function littleEndianBytes(data: Float32Array): Buffer {
  // Every platform Node runs on is little-endian; the copy detaches the entry from `data`.
  return Buffer.from(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
}

/** Parses an entry; returns null for anything malformed (treated as corrupt). */
function decodeEntry(whole: Buffer, key: string): { header: EntryHeader; data: Float32Array } | null {
  if (whole.length < 12 + DIGEST_BYTES) return null;
  const buf = whole.subarray(0, whole.length - DIGEST_BYTES);
  if (!createHash('sha256').update(buf).digest().equals(whole.subarray(buf.length))) return null;
  if (buf.length < 12 || buf.toString('latin1', 0, 4) !== MAGIC || buf.readUInt32LE(4) !== FORMAT_VERSION)
    return null;
  const jsonLength = buf.readUInt32LE(8);
  if (12 + jsonLength > buf.length) return null;
  let header: EntryHeader;
  try {
    header = JSON.parse(buf.toString('utf8', 12, 12 + jsonLength)) as EntryHeader;
  } catch {
    return null;
  }
  const body = buf.subarray(12 + jsonLength);
  const expected = header.numPatches * header.frames * header.bands * 4;
  if (header.key !== key || body.length !== expected || sha256Buffer(body) !== header.dataSha256) return null;
  const data = new Float32Array(expected / 4);
  new Uint8Array(data.buffer).set(body);
  return { header, data };
}

/** Whether a feature-cache entry file is intact (layout, key from its name, checksum). */
export function featureEntryOk(buf: Buffer, fileName: string): boolean {
  return decodeEntry(buf, path.basename(fileName, '.f32c')) !== null;
}

async function writeAtomic(file: string, bytes: Buffer): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await fs.writeFile(tmp, bytes);
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

export class FeatureCache {
  readonly dir: string;
  readonly stats: FeatureCacheStats = { hits: 0, misses: 0, corrupt: 0, writes: 0 };
  /** Same key requested twice at once: compute once. */
  private readonly inFlight = new Map<string, Promise<CachedFeatures>>();

  /** Told of each corrupt entry found (then deleted and recomputed), so a run can say so. */
  private readonly onCorrupt?: (entry: string, file: string) => void;

  constructor(opts: { dir?: string; onCorrupt?: (entry: string, file: string) => void } = {}) {
    this.dir = opts.dir ?? defaultFeatureCacheDir();
    this.onCorrupt = opts.onCorrupt;
  }

  entryPath(key: string): string {
    return path.join(this.dir, key.slice(0, 2), `${key}.f32c`);
  }

  /** Patches of `file` under `opts`, read from the cache when present, else computed and stored. */
  async get(file: string, opts: ExtractOptions = {}): Promise<CachedFeatures> {
    const bytes = await readAudioBytes(file);
    const fileSha256 = sha256Buffer(bytes);
    const params = featureParams(opts);
    const key = featureCacheKey(fileSha256, params);
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const job = this.lookupOrCompute(file, bytes, fileSha256, key, opts).finally(() =>
      this.inFlight.delete(key),
    );
    this.inFlight.set(key, job);
    return job;
  }

  private async lookupOrCompute(
    file: string,
    bytes: Buffer,
    fileSha256: string,
    key: string,
    opts: ExtractOptions,
  ): Promise<CachedFeatures> {
    const entry = this.entryPath(key);
    const stored = await fs.readFile(entry).catch(() => null);
    if (stored) {
      const parsed = decodeEntry(stored, key);
      // Patches of a repaired file serve only callers who asked for the repair; the others decode
      // it again, which throws its non-finite-sample error.
      if (parsed?.header.repairedNonFinite && !opts.repairNonFinite) {
        await extractFromBytes(file, bytes, opts);
      }
      if (parsed) {
        this.stats.hits++;
        const { header, data } = parsed;
        return {
          key,
          fileSha256,
          fromCache: true,
          patches: { data, numPatches: header.numPatches, frames: header.frames, bands: header.bands },
          sampleRate: header.sampleRate,
          channels: header.channels,
          durationSec: header.durationSec,
          params: header.params,
          ...(header.repairedNonFinite ? { repairedNonFinite: header.repairedNonFinite } : {}),
        };
      }
      this.stats.corrupt++;
      this.onCorrupt?.(entry, file);
      await fs.rm(entry, { force: true });
    }
    this.stats.misses++;
    const features = await extractFromBytes(file, bytes, opts);
    const { patches } = features;
    assertFinite(patches.data, file, 'log-mel patches');
    const header: EntryHeader = {
      key,
      fileSha256,
      numPatches: patches.numPatches,
      frames: patches.frames,
      bands: patches.bands,
      sampleRate: features.sampleRate,
      channels: features.channels,
      durationSec: features.durationSec,
      params: features.params,
      dataSha256: sha256Buffer(littleEndianBytes(patches.data)),
      ...(features.repairedNonFinite ? { repairedNonFinite: features.repairedNonFinite } : {}),
    };
    await writeAtomic(entry, encodeEntry(header, patches.data));
    this.stats.writes++;
    return { ...features, key, fileSha256, fromCache: false };
  }

  /** Entry count and bytes on disk. */
  async usage(): Promise<{ entries: number; bytes: number }> {
    let entries = 0;
    let bytes = 0;
    const shards = await fs.readdir(this.dir, { withFileTypes: true }).catch(() => []);
    for (const shard of shards) {
      if (!shard.isDirectory()) continue;
      const dir = path.join(this.dir, shard.name);
      for (const name of await fs.readdir(dir)) {
        if (!name.endsWith('.f32c')) continue;
        entries++;
        bytes += (await fs.stat(path.join(dir, name))).size;
      }
    }
    return { entries, bytes };
  }

  /** Deletes every entry; returns how many there were. */
  async clear(): Promise<number> {
    const { entries } = await this.usage();
    await fs.rm(this.dir, { recursive: true, force: true });
    return entries;
  }
}
