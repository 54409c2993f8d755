/** Backends and YAMNet weights for the Settings view, through the engine's own listings. */
import type { BackendsInfo, WeightsStatus } from '@shared/contract';
import { serialized } from './experiment';

export async function backendsInfo(): Promise<BackendsInfo> {
  const { listBackends } = await import('../../engine/backend/describe');
  // Listing tries wasm as the active backend for a moment: never in the middle of a cost estimate.
  const listing = await serialized(() => listBackends());
  const selected = listing.backends.find((b) => b.name === listing.selected) ?? null;
  return {
    active: selected ? { name: selected.name, reason: selected.reason } : null,
    backends: listing.backends.map((b) => ({
      name: b.name,
      available: b.available,
      reason: b.reason,
      fineTune: b.available && b.fineTune,
      fineTuneNote: b.fineTuneNote,
      measuredCost: b.available ? b.measuredCost : '',
    })),
  };
}

export async function weightsStatus(): Promise<WeightsStatus> {
  const store = await import('../../engine/yamnet/store');
  const status = await store.weightsStatus();
  const sel = status.selected;
  return {
    installed: sel !== null,
    source: sel ? `${sel.provenance.source} (${sel.origin})` : null,
    location: sel?.path ?? null,
    files: sel ? sel.provenance.files.map((f) => ({ name: f.name, sha256: f.sha256 })) : [],
    detail: JSON.parse(JSON.stringify(status)),
  };
}

export async function weightsDownload(
  progress: (message: string, fraction: number | null) => void,
): Promise<WeightsStatus> {
  const { downloadWeights } = await import('../../engine/yamnet/store');
  await downloadWeights({
    onProgress: (p) =>
      progress(`${p.file}: ${(p.received / 1e6).toFixed(1)} MB`, p.total ? p.received / p.total : null),
  });
  return weightsStatus();
}

export async function weightsImport(file: string): Promise<WeightsStatus> {
  const { importWeights } = await import('../../engine/yamnet/store');
  await importWeights(file);
  return weightsStatus();
}
