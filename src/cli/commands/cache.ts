import { CACHE_KINDS, verifyCaches, type CacheKind } from '../../engine/caches/verify';
import { FeatureCache } from '../../engine/features/cache';
import {
  activationCacheUsage,
  cacheLimitBytes,
  clearActivationCache,
  defaultActivationCacheDir,
} from '../../engine/model/activation-cache';
import { UserError } from '../../engine/util/errors';
import { parseCommand, printJson, progress } from '../args';
import fs from 'node:fs';

const usage = 'ser-workbench cache status|clear|verify [--features] [--activations] [--json]';

function mb(bytes: number): string {
  return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
}

/**
 * Checks every entry's checksum (log-mel features, YAMNet activations and embeddings, baseline
 * features, index); corrupt entries are removed, to be recomputed by the next run that needs them.
 * With --features or --activations only those caches.
 */
function verify(values: { features: boolean; activations: boolean; json: boolean }): number {
  const kinds: CacheKind[] =
    values.features || values.activations
      ? [
          ...(values.features ? (['features'] as const) : []),
          ...(values.activations ? (['activations'] as const) : []),
        ]
      : CACHE_KINDS;
  const report = verifyCaches(kinds);
  if (values.json) {
    printJson(report);
    return 0;
  }
  for (const [kind, c] of Object.entries(report)) {
    process.stdout.write(`${kind}: ${c.ok} ok, ${c.corrupt} corrupt, ${c.removed} removed (${c.dir})\n`);
    for (const e of c.corruptEntries) process.stdout.write(`  corrupt: ${e}\n`);
  }
  return 0;
}

/** The log-mel feature cache and the YAMNet activation cache (embeddings, block outputs). */
export async function run(argv: string[]): Promise<number> {
  const args = parseCommand(
    argv,
    {
      features: { type: 'boolean', default: false },
      activations: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
    usage,
  );
  if (!args) return 0;
  const { values, positionals } = args;
  const action = positionals[0];
  if (positionals.length !== 1 || (action !== 'status' && action !== 'clear' && action !== 'verify')) {
    throw new UserError(`expected 'status', 'clear' or 'verify'\nusage: ${usage}`);
  }
  if (action === 'verify') return verify(values);
  const features = new FeatureCache();
  // Neither flag: both caches.
  const both = !values.features && !values.activations;
  if (action === 'status') {
    const f = await features.usage();
    const sets = activationCacheUsage();
    const doc = {
      features: { dir: features.dir, entries: f.entries, bytes: f.bytes },
      activations: {
        dir: defaultActivationCacheDir(),
        limitBytes: cacheLimitBytes(),
        bytes: sets.reduce((n, s) => n + s.bytes, 0),
        sets,
      },
    };
    if (values.json) {
      printJson(doc);
      return 0;
    }
    process.stdout.write(`log-mel features: ${f.entries} files, ${mb(f.bytes)} in ${features.dir}\n`);
    process.stdout.write(
      `YAMNet activations: ${sets.length} sets, ${mb(doc.activations.bytes)} of ${mb(doc.activations.limitBytes)} ` +
        `(SER_CACHE_LIMIT_GB) in ${doc.activations.dir}\n`,
    );
    for (const s of sets) {
      process.stdout.write(
        `  ${s.key}  ${s.output.padEnd(9)} ${s.dtype}  ${String(s.entries).padStart(5)} files  ${mb(s.bytes).padStart(10)}  last used ${s.lastUsed}\n`,
      );
    }
    return 0;
  }
  const cleared: Record<string, { bytes: number }> = {};
  if (both || values.activations) cleared.activations = clearActivationCache();
  if (both || values.features) {
    const f = await features.usage();
    fs.rmSync(features.dir, { recursive: true, force: true });
    cleared.features = { bytes: f.bytes };
  }
  if (values.json) printJson({ cleared });
  else for (const [k, v] of Object.entries(cleared)) progress(`cleared ${k} cache (${mb(v.bytes)})`);
  return 0;
}
