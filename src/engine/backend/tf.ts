/**
 * The one place that picks and initialises a tfjs backend. Every engine module imports tfjs
 * through `tf` from here, so that all tensors live in one tfjs-core engine instance.
 *
 * Order for `auto`: tensorflow (tfjs-node-gpu, then tfjs-node) > wasm > cpu. SER_BACKEND, when
 * set, replaces `auto` (so a whole test suite or CI job can be pinned to one backend);
 * SER_DISABLE_BACKENDS=tensorflow,wasm takes backends out of the running (e.g. a broken install).
 */
import { tf } from './tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import path from 'node:path';
import { UserError } from '../util/errors';
import { loadNativeBackend, type NativePackage } from './native';

export { tf };

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export type BackendChoice = BackendName | 'auto';

export const backendNames: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

export interface ActiveBackend {
  name: BackendName;
  /** Why this backend was picked (and why faster ones were not). */
  reason: string;
  /** For `tensorflow`: which npm package provides it. */
  package?: NativePackage;
}

const requireCjs = createRequire(import.meta.url);
let wasmReady: Promise<boolean> | null = null;
let active: ActiveBackend | null = null;

async function initWasm(): Promise<boolean> {
  if (!wasmReady) {
    wasmReady = (async () => {
      const dir = path.dirname(requireCjs.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
      setWasmPaths(path.join(dir, 'dist') + path.sep);
      return tf.setBackend('wasm');
    })();
  }
  return wasmReady;
}

/** Backends named in SER_DISABLE_BACKENDS (comma-separated); cpu cannot be disabled. */
export function disabledBackends(): Set<BackendName> {
  const names = (process.env.SER_DISABLE_BACKENDS ?? '').split(',').map((s) => s.trim());
  return new Set(backendNames.filter((n) => n !== 'cpu' && names.includes(n)));
}

/** Makes `name` the active backend; throws when it cannot initialise (internal error). */
export async function useBackend(name: BackendName): Promise<void> {
  if (disabledBackends().has(name))
    throw new Error(`the ${name} backend is disabled by SER_DISABLE_BACKENDS`);
  if (name === 'tensorflow') {
    const native = loadNativeBackend();
    if (!native.ok) throw new Error(`the tensorflow backend is not installed: ${native.reason}`);
  }
  if (name === 'wasm') {
    if (!(await initWasm())) throw new Error('the WASM backend failed to initialise');
  }
  if (!(await tf.setBackend(name))) throw new Error(`the ${name} backend failed to initialise`);
  await tf.ready();
  if (name === 'cpu') silenceNodeAdvert();
}

/**
 * tfjs' pure-JS backend prints "install our node backend" on its first tensor in Node. The
 * workbench already says which backend runs and why a faster one is not available (`backends`,
 * every run's environment.json), and installs the native one its own way, so the advert would
 * only mislead.
 */
function silenceNodeAdvert(): void {
  const cpu = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | undefined;
  if (cpu && 'firstUse' in cpu) cpu.firstUse = false;
}

/** The backend chosen by the last `initBackend`, or null before the first call. */
export function activeBackend(): ActiveBackend | null {
  return active && tf.engine().backendName === active.name ? active : null;
}

function envChoice(): BackendChoice | null {
  const v = process.env.SER_BACKEND;
  if (!v) return null;
  if (v === 'auto' || (backendNames as readonly string[]).includes(v)) return v as BackendChoice;
  throw new UserError(`SER_BACKEND=${v} is not a backend (use auto, ${backendNames.join(', ')})`);
}

function nativePackageInUse(name: BackendName): NativePackage | undefined {
  if (name !== 'tensorflow') return undefined;
  const n = loadNativeBackend();
  return n.ok ? n.package : undefined;
}

/**
 * Picks and initialises a backend. A forced choice is honoured or refused with a UserError that
 * says why and how to get it; `auto` falls back down the order and records what it skipped.
 */
export async function initBackend(choice: BackendChoice = 'auto'): Promise<ActiveBackend> {
  const fromEnv = choice === 'auto' ? envChoice() : null;
  const wanted = fromEnv ?? choice;
  if (wanted !== 'auto') {
    try {
      await useBackend(wanted);
    } catch (err) {
      const hint = wanted === 'tensorflow' ? " (run 'ser-workbench setup tensorflow')" : '';
      throw new UserError(`backend '${wanted}' is not available: ${(err as Error).message}${hint}`);
    }
    const how = fromEnv ? `SER_BACKEND=${wanted}` : 'asked for';
    active = { name: wanted, reason: `forced (${how})`, package: nativePackageInUse(wanted) };
    return active;
  }

  const skipped: string[] = [];
  const disabled = disabledBackends();
  const native = disabled.has('tensorflow')
    ? ({ ok: false, reason: 'disabled by SER_DISABLE_BACKENDS' } as const)
    : loadNativeBackend();
  if (native.ok) {
    try {
      await useBackend('tensorflow');
      const what = `${native.package} ${native.version}, TensorFlow ${native.tfVersion}`;
      active = { name: 'tensorflow', reason: `auto: native TensorFlow (${what})`, package: native.package };
      return active;
    } catch (err) {
      skipped.push(`tensorflow failed to initialise: ${(err as Error).message}`);
    }
  } else {
    skipped.push(`tensorflow not available (${native.reason})`);
  }
  try {
    await useBackend('wasm');
    active = { name: 'wasm', reason: `auto: ${skipped.join('; ')}` };
    return active;
  } catch (err) {
    skipped.push(`wasm failed to initialise: ${(err as Error).message}`);
  }
  await useBackend('cpu');
  active = { name: 'cpu', reason: `auto: ${skipped.join('; ')}` };
  return active;
}
