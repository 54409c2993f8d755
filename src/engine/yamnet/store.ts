/**
 * The user's YAMNet weights: installed under `<dataHome>/weights/yamnet/`, one folder per slot,
 * with the class map beside them (so `<slot>/../yamnet_class_map.csv` finds it, as in shared/):
 *
 *   yamnet_class_map.csv
 *   tfhub/     model.json + group1-shard{1..4}of4.bin + provenance.json   (weights download)
 *   keras/     yamnet.h5 + provenance.json                                  (weights download --h5)
 *   imported/  a copy of what `weights import` was given + provenance.json
 *   selected.json  { "slot": "tfhub" }   the last slot installed
 *
 * Official locations:
 * - TF Hub tfjs graph model `google/tfjs-model/yamnet/tfjs/1`:
 *   https://tfhub.dev/google/tfjs-model/yamnet/tfjs/1/{model.json, group1-shard{1..4}of4.bin}?tfjs-format=file
 *   (the form `tf.loadGraphModel(url, { fromTFHub: true })` uses; tfhub.dev redirects to its storage);
 * - Keras weights: https://storage.googleapis.com/audioset/yamnet.h5 (named by the README of
 *   tensorflow/models research/audioset/yamnet);
 * - class map: https://raw.githubusercontent.com/tensorflow/models/master/research/audioset/yamnet/yamnet_class_map.csv
 *
 * Every install is staged in a `.partial-<slot>` folder (kept between runs, so downloads resume)
 * and renamed into place only when every file is verified.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeJsonAtomic } from '../util/atomic';
import { CLASS_MAP_FILE, findClassMap, readClassMap } from './class-map';
import { downloadFile, type DownloadProgress } from './download';
import { readGraphWeights, readModelJson } from './graph-format';
import { readKerasH5Weights } from './keras-h5';
import {
  describeWeights,
  H5_FILE,
  locateWeights,
  PROVENANCE_FILE,
  readYamnetWeights,
  type WeightsFormat,
} from './load';
import {
  findWeightsSource,
  installedSlots,
  slotDir,
  storeDir,
  type ResolvedWeights,
  type StoreSlot,
} from './source';
import {
  CLASS_MAP_SHA256,
  OFFICIAL_TFHUB_SHA256,
  OFFICIAL_TFHUB_SHARD_BYTES,
  type WeightsProvenance,
} from './provenance';

export const TFHUB_MODEL_URL = 'https://tfhub.dev/google/tfjs-model/yamnet/tfjs/1';
export const KERAS_H5_URL = 'https://storage.googleapis.com/audioset/yamnet.h5';
export const CLASS_MAP_URL =
  'https://raw.githubusercontent.com/tensorflow/models/master/research/audioset/yamnet/yamnet_class_map.csv';
/** The converter's shard size: every shard but the last holds exactly this many bytes. */
const SHARD_BYTES = 4 * 1024 * 1024;

export {
  findWeightsSource,
  resolveWeightsSource,
  sharedWeightsDir,
  slotDir,
  storeDir,
  type ResolvedWeights,
  type StoreSlot,
} from './source';

export interface InstalledWeights {
  slot: StoreSlot;
  path: string;
  format: WeightsFormat;
  provenance: WeightsProvenance;
  selected: boolean;
}

export interface WeightsStatus {
  storeDir: string;
  /** What resolveWeightsSource() picks now (null: none). */
  selected: (ResolvedWeights & { format: WeightsFormat; provenance: WeightsProvenance }) | null;
  installed: InstalledWeights[];
  /** Class map beside the selected weights. */
  classMap: string | null;
}

export async function weightsStatus(): Promise<WeightsStatus> {
  const resolved = findWeightsSource();
  const installed: InstalledWeights[] = [];
  for (const slot of installedSlots()) {
    const loc = locateWeights(slotDir(slot));
    installed.push({
      slot,
      path: slotDir(slot),
      format: loc.format,
      provenance: await describeWeights(loc),
      selected: resolved?.origin === 'store' && resolved.slot === slot,
    });
  }
  let selected: WeightsStatus['selected'] = null;
  if (resolved) {
    const loc = locateWeights(resolved.path);
    const same = installed.find((i) => i.path === resolved.path);
    selected = {
      ...resolved,
      format: loc.format,
      provenance: same?.provenance ?? (await describeWeights(loc)),
    };
  }
  const dir = resolved ? locateWeights(resolved.path).dir : null;
  return { storeDir: storeDir(), selected, installed, classMap: dir ? findClassMap(dir) : null };
}

/** Replaces a slot by a fully staged folder (rename; the old copy is removed afterwards). */
function commitSlot(
  staging: string,
  slot: StoreSlot,
  provenance: WeightsProvenance & Record<string, unknown>,
): void {
  writeJsonAtomic(path.join(staging, PROVENANCE_FILE), provenance);
  const target = slotDir(slot);
  const old = `${target}.old-${process.pid}`;
  if (fs.existsSync(target)) fs.renameSync(target, old);
  fs.renameSync(staging, target);
  fs.rmSync(old, { recursive: true, force: true });
  writeJsonAtomic(path.join(storeDir(), 'selected.json'), { slot });
}

async function installed(slot: StoreSlot): Promise<InstalledWeights> {
  const loc = locateWeights(slotDir(slot));
  return {
    slot,
    path: slotDir(slot),
    format: loc.format,
    provenance: await describeWeights(loc),
    selected: true,
  };
}

export interface DownloadWeightsOptions {
  /** 'tfjs' (default): TF Hub graph model; 'h5': Keras yamnet.h5. */
  format?: 'tfjs' | 'h5';
  /** Where the files are (default: the official locations above); mirrors and tests override it. */
  baseUrl?: string;
  /** Full URL of yamnet.h5 (default KERAS_H5_URL). */
  h5Url?: string;
  classMapUrl?: string;
  onProgress?: (p: DownloadProgress) => void;
  signal?: AbortSignal;
}

function tfhubFileUrl(base: string, file: string): string {
  const query = base === TFHUB_MODEL_URL ? '?tfjs-format=file' : '';
  return `${base.replace(/\/$/, '')}/${file}${query}`;
}

async function downloadClassMap(opts: DownloadWeightsOptions): Promise<void> {
  const dest = path.join(storeDir(), CLASS_MAP_FILE);
  if (fs.existsSync(dest)) return;
  const tmp = path.join(storeDir(), `.partial-${CLASS_MAP_FILE}`);
  const { sha256 } = await downloadFile(opts.classMapUrl ?? CLASS_MAP_URL, tmp, opts);
  readClassMap(tmp); // refuses anything that is not a 521-class map
  if (sha256 !== CLASS_MAP_SHA256)
    process.emitWarning(`the downloaded class map differs from the known one (sha256 ${sha256})`);
  fs.renameSync(tmp, dest);
}

/**
 * Downloads the official weights (with progress, HTTP Range resume and checksums) into the
 * store and selects them. model.json and shard 4 must match their known sha256; the other shards
 * must have the sizes the (verified) manifest implies, and the whole must load.
 */
export async function downloadWeights(opts: DownloadWeightsOptions = {}): Promise<InstalledWeights> {
  const format = opts.format ?? 'tfjs';
  fs.mkdirSync(storeDir(), { recursive: true });
  const slot: StoreSlot = format === 'tfjs' ? 'tfhub' : 'keras';
  const staging = path.join(storeDir(), `.partial-${slot}`);
  fs.mkdirSync(staging, { recursive: true });
  const urls: Record<string, string> = {};
  if (format === 'h5') {
    const url = opts.h5Url ?? (opts.baseUrl ? `${opts.baseUrl.replace(/\/$/, '')}/${H5_FILE}` : KERAS_H5_URL);
    const dest = path.join(staging, H5_FILE);
    if (!fs.existsSync(dest)) await downloadFile(url, dest, opts);
    await readKerasH5Weights(dest);
    urls[H5_FILE] = url;
  } else {
    const base = opts.baseUrl ?? TFHUB_MODEL_URL;
    const modelFile = path.join(staging, 'model.json');
    urls['model.json'] = tfhubFileUrl(base, 'model.json');
    if (!fs.existsSync(modelFile))
      await downloadFile(urls['model.json'], modelFile, {
        ...opts,
        expectedSha256: OFFICIAL_TFHUB_SHA256['model.json'],
      });
    const manifest = readModelJson(modelFile).weightsManifest!;
    const shards = manifest.flatMap((g) => g.paths);
    for (const shard of shards) urls[shard] = tfhubFileUrl(base, shard);
    for (let i = 0; i < shards.length; i++) {
      const dest = path.join(staging, shards[i]);
      if (fs.existsSync(dest)) continue;
      const expectedBytes =
        i < shards.length - 1 ? SHARD_BYTES : OFFICIAL_TFHUB_SHARD_BYTES - SHARD_BYTES * (shards.length - 1);
      await downloadFile(urls[shards[i]], dest, {
        ...opts,
        expectedBytes,
        expectedSha256: OFFICIAL_TFHUB_SHA256[shards[i]],
      });
    }
    readGraphWeights(staging); // every tensor present with its shape
  }
  await downloadClassMap(opts);
  const loc = locateWeights(staging);
  const provenance = await describeWeights(loc);
  // An h5 from the official location has no published checksum; the record is what marks it.
  const source = format === 'h5' && !opts.baseUrl && !opts.h5Url ? 'official-h5' : provenance.source;
  commitSlot(staging, slot, { ...provenance, source, urls, installedAt: new Date().toISOString() });
  return installed(slot);
}

/**
 * Installs weights the user has (a graph folder, model.json or a .h5 file) after loading them
 * fully; copies the class map found beside them too, and selects them.
 */
export async function importWeights(source: string): Promise<InstalledWeights> {
  const { location } = await readYamnetWeights(source);
  const staging = path.join(storeDir(), '.partial-imported');
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  const h5 = location.format === 'keras-h5';
  for (const file of location.files)
    fs.copyFileSync(path.join(location.dir, file), path.join(staging, h5 ? H5_FILE : file));
  const classMap = findClassMap(location.dir);
  if (classMap) {
    readClassMap(classMap);
    fs.copyFileSync(classMap, path.join(staging, CLASS_MAP_FILE));
  }
  const provenance = await describeWeights(locateWeights(staging));
  commitSlot(staging, 'imported', {
    ...provenance,
    importedFrom: path.resolve(source),
    installedAt: new Date().toISOString(),
  });
  return installed('imported');
}
