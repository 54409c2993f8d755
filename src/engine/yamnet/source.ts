/**
 * Where the YAMNet weights everything uses live: the store's slots under
 * `<dataHome>/weights/yamnet/` (see store.ts), the YAMNET_WEIGHTS override, and the shared
 * reconstructed model of development checkouts. Kept apart from store.ts so that loading
 * (load.ts) and installing (store.ts) both use it without importing each other.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readJson } from '../util/atomic';
import { UserError } from '../util/errors';
import { dataHome, sharedDir } from '../util/paths';

export type StoreSlot = 'tfhub' | 'keras' | 'imported';
export const SLOTS: StoreSlot[] = ['tfhub', 'keras', 'imported'];

export function storeDir(): string {
  return path.join(dataHome(), 'weights', 'yamnet');
}

export function slotDir(slot: StoreSlot): string {
  return path.join(storeDir(), slot);
}

/** The reconstructed pretrained model in shared/ (development checkouts, tests, the demo). */
export function sharedWeightsDir(): string {
  return path.join(sharedDir(), 'models', 'yamnet', 'tfjs-graph-reconstructed');
}

export interface ResolvedWeights {
  /** A graph folder or a .h5 file, ready for `loadYamnet`. */
  path: string;
  /** env: YAMNET_WEIGHTS; store: installed weights; shared: shared/models/yamnet (development). */
  origin: 'env' | 'store' | 'shared';
  slot?: StoreSlot;
}

export function installedSlots(): StoreSlot[] {
  return SLOTS.filter((s) => {
    const dir = slotDir(s);
    return fs.existsSync(path.join(dir, 'model.json')) || fs.existsSync(path.join(dir, 'yamnet.h5'));
  });
}

function selectedSlot(): StoreSlot | null {
  const file = path.join(storeDir(), 'selected.json');
  if (!fs.existsSync(file)) return null;
  const slot = readJson<{ slot?: string }>(file).slot as StoreSlot;
  return SLOTS.includes(slot) ? slot : null;
}

/** Like resolveWeightsSource, but null when no weights are found. */
export function findWeightsSource(): ResolvedWeights | null {
  const env = process.env.YAMNET_WEIGHTS;
  if (env) {
    const p = path.resolve(env);
    if (!fs.existsSync(p)) throw new UserError(`YAMNET_WEIGHTS=${env}: no such file or folder`);
    return { path: p, origin: 'env' };
  }
  const installed = installedSlots();
  const selected = selectedSlot();
  const slot = selected && installed.includes(selected) ? selected : installed[0];
  if (slot) return { path: slotDir(slot), origin: 'store', slot };
  if (fs.existsSync(path.join(sharedWeightsDir(), 'model.json')))
    return { path: sharedWeightsDir(), origin: 'shared' };
  return null;
}

/**
 * The weights everything uses: YAMNET_WEIGHTS if set, else the selected installed weights, else
 * (development checkouts) the reconstructed model in shared/. Throws a UserError saying how to
 * get weights when there are none.
 */
export function resolveWeightsSource(): ResolvedWeights {
  const found = findWeightsSource();
  if (!found)
    throw new UserError(
      'no YAMNet weights: run `ser-workbench weights download`, `ser-workbench weights import PATH`, or set YAMNET_WEIGHTS=PATH',
    );
  return found;
}
