import fs from 'node:fs/promises';
import path from 'node:path';
import { RESAMPLE_METHODS, type ResampleMethod } from '../../engine/audio';
import { FeatureCache } from '../../engine/features/cache';
import { extractFromBytes, type FileFeatures } from '../../engine/features/frontend';
import { FRONT_END_FORMS, type FrontEndForm } from '../../engine/features/logmel';
import { FileError, UserError } from '../../engine/util/errors';
import { dataHome } from '../../engine/util/paths';
import { ensureWritableDir } from '../../engine/util/writable-dir';
import { parseCommand, printJson, progress } from '../args';

const USAGE =
  'ser-workbench features <audio> [--out FILE.f32] [--form yamnet|paper-power] ' +
  `[--resampler ${RESAMPLE_METHODS.join('|')}] [--cache] [--repair-nonfinite] [--json]`;

/**
 * Log-mel patches of one WAV/FLAC file. `--out` writes float32 little-endian [n, 96, 64];
 * `--json` prints one document with the shape and parameters; `--cache` reads/writes the
 * feature cache instead of always computing.
 */
export async function run(argv: string[]): Promise<number> {
  const args = parseCommand(
    argv,
    {
      out: { type: 'string' },
      form: { type: 'string', default: 'yamnet' },
      resampler: { type: 'string', default: 'polyphase' },
      cache: { type: 'boolean', default: false },
      'repair-nonfinite': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
    USAGE,
  );
  if (!args) return 0;
  const { values, positionals } = args;
  if (positionals.length !== 1) throw new UserError(`expected exactly one audio file\nusage: ${USAGE}`);
  const form = values.form as FrontEndForm;
  if (!FRONT_END_FORMS.includes(form))
    throw new UserError(`--form must be one of ${FRONT_END_FORMS.join(', ')}`);
  const resampler = values.resampler as ResampleMethod;
  if (!RESAMPLE_METHODS.includes(resampler))
    throw new UserError(`--resampler must be one of ${RESAMPLE_METHODS.join(', ')}`);

  // Checked before any work; bounded creation (a recursive mkdir can loop forever under /proc).
  if (values.out) ensureWritableDir(path.dirname(path.resolve(values.out)), 'folder of --out');
  if (values.cache) ensureWritableDir(dataHome(), 'data folder (SER_WORKBENCH_HOME)');
  const file = positionals[0];
  const repairNonFinite = values['repair-nonfinite'];
  const started = performance.now();
  let features: FileFeatures & { fromCache?: boolean };
  if (values.cache) {
    features = await new FeatureCache({
      onCorrupt: (entry) => progress(`warning: corrupt cache entry ${entry}; recomputed`),
    }).get(file, { form, resampler, repairNonFinite });
  } else {
    const bytes = await fs.readFile(file).catch((err: NodeJS.ErrnoException) => {
      throw new FileError(
        file,
        err.code === 'ENOENT' ? 'no such file' : `cannot read (${err.code ?? err.message})`,
      );
    });
    features = await extractFromBytes(file, bytes, { form, resampler, repairNonFinite });
  }
  const ms = performance.now() - started;
  const repaired = features.repairedNonFinite;
  if (repaired)
    progress(
      `warning: ${file}: ${repaired.count} non-finite sample(s) set to zero (first at ${repaired.first.join(', ')})`,
    );
  const { patches } = features;

  if (values.out) {
    const out = values.out;
    const tmp = `${out}.${process.pid}.tmp`;
    try {
      await fs.writeFile(tmp, patches.data);
      await fs.rename(tmp, out);
    } catch (err) {
      await fs.rm(tmp, { force: true });
      throw new FileError(
        out,
        `cannot write (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      );
    }
  }

  const shape = [patches.numPatches, patches.frames, patches.bands];
  if (values.json) {
    printJson({
      file,
      sampleRate: features.sampleRate,
      channels: features.channels,
      durationSec: features.durationSec,
      patches: shape,
      params: features.params,
      ...(values.out ? { out: values.out } : {}),
      ...(values.cache ? { fromCache: features.fromCache } : {}),
      ...(repaired ? { repairedNonFinite: repaired } : {}),
    });
  } else {
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    for (const v of patches.data) {
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
    }
    process.stdout.write(
      `${file}: ${features.sampleRate} Hz, ${features.channels} ch, ${features.durationSec.toFixed(3)} s -> ` +
        `patches [${shape.join(', ')}] (${form}), log-mel min ${min.toFixed(3)} max ${max.toFixed(3)} ` +
        `mean ${(sum / patches.data.length).toFixed(3)}\n`,
    );
    if (values.out) process.stdout.write(`wrote ${values.out} (float32 LE [${shape.join(', ')}])\n`);
  }
  progress(`features: ${ms.toFixed(1)} ms${features.fromCache ? ' (from cache)' : ''}`);
  return 0;
}
