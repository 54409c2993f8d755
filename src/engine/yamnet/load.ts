/**
 * Loading pretrained YAMNet from either published format into the one layers model:
 * a TF Hub tfjs graph folder (model.json + shards) or a Keras `yamnet.h5`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { FileError } from '../util/errors';
import { readJson } from '../util/atomic';
import { hasPeriodicHannWindow, readGraphWeights, readModelJson } from './graph-format';
import { readKerasH5Weights } from './keras-h5';
import { YamnetModel } from './model';
import { classifyGraphFiles, hashFiles, type WeightsProvenance } from './provenance';
import { resolveWeightsSource } from './source';
import type { YamnetWeights } from './weights';

export type WeightsFormat = 'tfjs-graph' | 'keras-h5';

export interface WeightsLocation {
  format: WeightsFormat;
  /** Folder holding the files. */
  dir: string;
  /** The weight files, relative to `dir` (graph: model.json first, then the shards). */
  files: string[];
}

export const H5_FILE = 'yamnet.h5';
/** Written beside weights the store downloaded, to remember their origin (see store.ts). */
export const PROVENANCE_FILE = 'provenance.json';

/** Which format a path holds: a graph folder, a folder with yamnet.h5, an .h5 file or a model.json. */
export function locateWeights(source: string): WeightsLocation {
  const p = path.resolve(source);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(p);
  } catch {
    throw new FileError(
      p,
      'no such file or folder (expected a tfjs graph folder with model.json, or yamnet.h5)',
    );
  }
  if (stat.isDirectory()) {
    if (fs.existsSync(path.join(p, 'model.json'))) return graphLocation(p);
    if (fs.existsSync(path.join(p, H5_FILE))) return { format: 'keras-h5', dir: p, files: [H5_FILE] };
    throw new FileError(p, `holds neither model.json (tfjs graph format) nor ${H5_FILE}`);
  }
  if (path.basename(p) === 'model.json') return graphLocation(path.dirname(p));
  if (/\.(h5|hdf5|keras)$/i.test(p))
    return { format: 'keras-h5', dir: path.dirname(p), files: [path.basename(p)] };
  throw new FileError(p, 'not a YAMNet weights file (expected model.json or a .h5 file)');
}

function graphLocation(dir: string): WeightsLocation {
  const json = readModelJson(path.join(dir, 'model.json'));
  return {
    format: 'tfjs-graph',
    dir,
    files: ['model.json', ...json.weightsManifest!.flatMap((g) => g.paths)],
  };
}

interface RecordedProvenance {
  source?: string;
  files?: { name: string; sha256: string }[];
}

/** sha256 of every weight file and what they are (see provenance.ts). */
export async function describeWeights(loc: WeightsLocation): Promise<WeightsProvenance> {
  const files = await hashFiles(loc.dir, loc.files);
  if (loc.format === 'tfjs-graph') {
    const source = classifyGraphFiles(files);
    return {
      source: source === 'official-tfhub' && !hasPeriodicHannWindow(loc.dir) ? 'user' : source,
      files,
    };
  }
  // No published checksum for yamnet.h5: trust the store's own record of an official download,
  // as long as the file is still the one it downloaded.
  const recordFile = path.join(loc.dir, PROVENANCE_FILE);
  if (fs.existsSync(recordFile)) {
    const record = readJson<RecordedProvenance>(recordFile);
    const same = files.every((f) => record.files?.some((r) => r.name === f.name && r.sha256 === f.sha256));
    if (record.source === 'official-h5' && same) return { source: 'official-h5', files };
  }
  return { source: 'user', files };
}

/** Canonical weights and their provenance from a weights path. */
export async function readYamnetWeights(
  source: string,
): Promise<{ weights: YamnetWeights; provenance: WeightsProvenance; location: WeightsLocation }> {
  const location = locateWeights(source);
  const weights =
    location.format === 'tfjs-graph'
      ? readGraphWeights(location.dir)
      : await readKerasH5Weights(path.join(location.dir, location.files[0]));
  return { weights, provenance: await describeWeights(location), location };
}

/**
 * Pretrained YAMNet from a tfjs graph folder or a `yamnet.h5` (default: `resolveWeightsSource()`,
 * i.e. YAMNET_WEIGHTS, else the installed weights). Every tensor is mapped by name and its shape
 * checked; a UserError names any missing or misshapen tensor.
 */
export async function loadYamnet(
  source?: string,
): Promise<{ model: YamnetModel; provenance: WeightsProvenance }> {
  const { weights, provenance } = await readYamnetWeights(source ?? resolveWeightsSource().path);
  return { model: new YamnetModel(weights), provenance };
}
