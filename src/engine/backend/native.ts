/**
 * Lazy loading of the native TensorFlow backend (tfjs-node-gpu or tfjs-node). Both are optional
 * CommonJS packages that `ser-workbench setup tensorflow` puts into the project's node_modules;
 * `npm ci` alone never installs them. Loading one registers the `tensorflow` backend on the same
 * tfjs-core engine that `tf.ts` exports, because the package resolves `@tensorflow/tfjs` to the
 * project's copy.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import fs from 'node:fs';
import { registerPointwiseConv } from './pointwise-conv';
import { configureThreads } from './threads';
import { tf } from './tfjs';

export type NativePackage = '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node';

/** GPU first: it also runs on the CPU, and only one of the two may register `tensorflow`. */
export const nativePackages: readonly NativePackage[] = [
  '@tensorflow/tfjs-node-gpu',
  '@tensorflow/tfjs-node',
];

export type NativeLoad =
  | { ok: true; package: NativePackage; version: string; tfVersion: string; dir: string; gpu: boolean }
  | { ok: false; reason: string; attempts: Record<NativePackage, string> };

const requireCjs = createRequire(import.meta.url);
let loaded: NativeLoad | null = null;

/** Where a package would resolve from this project, or null when it is not installed. */
export function resolveNativePackage(name: NativePackage): string | null {
  try {
    return path.dirname(requireCjs.resolve(`${name}/package.json`));
  } catch {
    return null;
  }
}

function readVersion(dir: string): string {
  return (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

interface NodeBackendLike {
  binding?: { TF_Version?: string };
}

function loadOne(name: NativePackage): NativeLoad & { ok: true } {
  const dir = resolveNativePackage(name);
  if (!dir) throw new Error('not installed (run `ser-workbench setup tensorflow`)');
  // TensorFlow's C++ start-up chatter on stderr would interleave with progress lines.
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
  // TensorFlow reads its thread counts when it loads.
  configureThreads();
  // The package calls setBackend('tensorflow') as a side effect; the caller's choice wins.
  const before = tf.engine().backendName;
  requireCjs(name);
  if (!tf.findBackendFactory('tensorflow')) {
    throw new Error(`${name} loaded but registered no 'tensorflow' backend on this tfjs-core instance`);
  }
  const backend = tf.findBackend('tensorflow') as unknown as NodeBackendLike | null;
  const tfVersion = backend?.binding?.TF_Version ?? 'unknown';
  // Before any op runs: oneDNN's 1×1 convolution can crash the process (see pointwise-conv.ts).
  registerPointwiseConv();
  if (before && before !== 'tensorflow') tf.setBackend(before);
  return { ok: true, package: name, version: readVersion(dir), tfVersion, dir, gpu: name.endsWith('-gpu') };
}

/**
 * Loads tfjs-node-gpu, else tfjs-node, once per process; on failure says why for each package.
 * SER_TFJS_NODE=cpu skips the GPU package (for comparing the two on one machine).
 */
export function loadNativeBackend(): NativeLoad {
  if (loaded) return loaded;
  const attempts = {} as Record<NativePackage, string>;
  for (const name of nativePackages) {
    if (name.endsWith('-gpu') && process.env.SER_TFJS_NODE === 'cpu') {
      attempts[name] = 'skipped (SER_TFJS_NODE=cpu)';
      continue;
    }
    try {
      const ok = loadOne(name);
      loaded = ok;
      return ok;
    } catch (err) {
      attempts[name] = firstLine((err as Error).message);
    }
  }
  const reason = nativePackages.map((n) => `${n}: ${attempts[n]}`).join('; ');
  const failed: NativeLoad = { ok: false, reason, attempts };
  loaded = failed;
  return failed;
}

function firstLine(message: string): string {
  const line = message.split('\n').find((l) => l.trim()) ?? message;
  return line.length > 300 ? line.slice(0, 300) + '…' : line;
}
