/**
 * The one place that picks and initialises a tfjs backend. Every engine module imports tfjs
 * through `tf` from here, so that all tensors live in one tfjs-core engine instance.
 *
 * Order for `auto`: tensorflow (tfjs-node-gpu, then tfjs-node) > wasm > cpu.
 * (The native `tensorflow` backend is added by src/engine/backend/native.ts.)
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import path from 'node:path';

export { tf };

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export type BackendChoice = BackendName | 'auto';

export interface ActiveBackend {
  name: BackendName;
  /** Why this backend was picked (and why faster ones were not). */
  reason: string;
}

const require = createRequire(import.meta.url);
let wasmReady: Promise<boolean> | null = null;

async function initWasm(): Promise<boolean> {
  if (!wasmReady) {
    wasmReady = (async () => {
      const dir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
      setWasmPaths(path.join(dir, 'dist') + path.sep);
      return tf.setBackend('wasm');
    })();
  }
  return wasmReady;
}

export async function useBackend(name: BackendName): Promise<void> {
  if (name === 'wasm') {
    if (!(await initWasm())) throw new Error('the WASM backend failed to initialise');
  }
  if (!(await tf.setBackend(name))) throw new Error(`the ${name} backend failed to initialise`);
  await tf.ready();
}

/** Minimal selection: wasm, then cpu. Extended with the native backend elsewhere. */
export async function initBackend(choice: BackendChoice = 'auto'): Promise<ActiveBackend> {
  if (choice === 'auto' || choice === 'wasm') {
    try {
      await useBackend('wasm');
      return { name: 'wasm', reason: choice === 'wasm' ? 'forced' : 'tensorflow backend not installed' };
    } catch (err) {
      if (choice === 'wasm') throw err;
    }
  }
  await useBackend('cpu');
  return { name: 'cpu', reason: choice === 'cpu' ? 'forced' : 'no faster backend initialised' };
}
