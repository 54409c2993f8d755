/**
 * Where a set of YAMNet weights came from, told by the files' sha256. Results must name their
 * weights, because the workbench can run with genuine, near-official (reconstructed), user or
 * random weights and the numbers differ.
 *
 * - official-tfhub: TF Hub `google/tfjs-model/yamnet/tfjs/1` — model.json and shard 4 match the
 *   known genuine sha256 (shards 1–3 of the official files have no published checksum here, so
 *   they are checked by size via the manifest, must not be the reconstructed ones, and shard 1
 *   must hold TF's periodic Hann window where the manifest puts it: see load.ts);
 * - official-h5: the Keras `yamnet.h5` downloaded from its official location by `weights download`
 *   (recorded in the store's provenance.json; no published checksum is known);
 * - reconstructed: `shared/models/yamnet/tfjs-graph-reconstructed` (shards 1–3 rebuilt from an
 *   int8 export of the official weights), recognised by its five sha256;
 * - user: anything else;
 * - random: no weights file (fresh Glorot initialisation).
 */
import path from 'node:path';
import { sha256File } from '../util/hash';

/** 'none': a result that used no YAMNet (a baseline without +dl features). */
export type WeightsSourceKind =
  'official-tfhub' | 'official-h5' | 'reconstructed' | 'user' | 'random' | 'none';

export interface WeightsProvenance {
  source: WeightsSourceKind;
  files: { name: string; sha256: string }[];
}

/** Genuine TF Hub files (see shared/models/yamnet/README.md). */
export const OFFICIAL_TFHUB_SHA256: Readonly<Record<string, string>> = {
  'model.json': '756602110a86c4da48a8cb1d7b55efbde998e39bd47c4d3d2938c84a8ba9f5c9',
  'group1-shard4of4.bin': '311fcb65f9985e825a9f162b7ef82bdc81a745bff11f90bd7b1eaabbd1f55e6b',
};

/** The reconstructed folder (shared/models/yamnet/tfjs-graph-reconstructed/README.md). */
export const RECONSTRUCTED_SHA256: Readonly<Record<string, string>> = {
  'model.json': OFFICIAL_TFHUB_SHA256['model.json'],
  'group1-shard1of4.bin': '6e87e01519b76e2d448160542ea96109bef5734136e0670215fbba505599d0f3',
  'group1-shard2of4.bin': '772d3727be51ad3eee96b771a05fb7dcdc3896f9b9cd0e9667868c185f974169',
  'group1-shard3of4.bin': '36231d377ab5b6bf1609494a17565a891a2f414106a897dee841f7d61c3cef67',
  'group1-shard4of4.bin': OFFICIAL_TFHUB_SHA256['group1-shard4of4.bin'],
};

/** Total bytes of the four official shards (3 × 4 MiB + shard 4). */
export const OFFICIAL_TFHUB_SHARD_BYTES = 16_038_316;

export const CLASS_MAP_SHA256 = 'cdf24d193e196d9e95912a2667051ae203e92a2ba09449218ccb40ef787c6df2';

export async function hashFiles(dir: string, names: string[]): Promise<{ name: string; sha256: string }[]> {
  const out: { name: string; sha256: string }[] = [];
  for (const name of names) out.push({ name, sha256: await sha256File(path.join(dir, name)) });
  return out;
}

function matchesAll(
  files: { name: string; sha256: string }[],
  table: Readonly<Record<string, string>>,
): boolean {
  const names = Object.keys(table);
  return files.length === names.length && files.every((f) => table[f.name] === f.sha256);
}

/** Classifies hashed graph-format files (model.json + shards). */
export function classifyGraphFiles(files: { name: string; sha256: string }[]): WeightsSourceKind {
  if (matchesAll(files, RECONSTRUCTED_SHA256)) return 'reconstructed';
  const genuine = Object.entries(OFFICIAL_TFHUB_SHA256).every(
    ([name, sha]) => files.find((f) => f.name === name)?.sha256 === sha,
  );
  const rebuilt = files.some(
    (f) =>
      f.name !== 'model.json' &&
      RECONSTRUCTED_SHA256[f.name] === f.sha256 &&
      f.name !== 'group1-shard4of4.bin',
  );
  return genuine && !rebuilt && files.length === 5 ? 'official-tfhub' : 'user';
}
