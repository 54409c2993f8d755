import { parse, printJson } from '../args';
import { listBackends, type BackendInfo } from '../../engine/backend/describe';
import { FROZEN_BLOCK } from '@shared/first-block';
import type { Device } from '../../engine/backend/device';

const usage = `ser-workbench backends [--json] [--measure]

  --measure   time one training step per mode (full, from 11, frozen; the paper's batch, 7 patches per utterance) on
              every available backend and record it, so this list, Settings and environment.json
              show what fine-tuning costs here (random weights: the cost does not depend on them)`;

function deviceText(d: Device | null): string {
  if (!d) return '';
  if (d.kind === 'gpu') return `${d.name}${d.memoryMB ? ` ${Math.round(d.memoryMB / 1024)} GB` : ''}`;
  return `${d.name} (${d.cores} cores)`;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, { json: { type: 'boolean' }, measure: { type: 'boolean' } }, usage);
  if (values.measure) await measure(await listBackends());
  const listing = await listBackends();
  if (values.json) {
    printJson(listing);
    return 0;
  }
  const rows = listing.backends.map((b) => [
    b.selected ? '*' : ' ',
    b.name,
    b.available ? 'yes' : 'no',
    b.version ?? '-',
    b.available ? (b.fineTune ? (b.fineTuneSlow ? 'yes (slow)' : 'yes') : 'no') : '-',
    b.available ? deviceText(b.device) : '',
    b.available ? b.measuredCost || 'not yet (--measure)' : '-',
    b.reason,
  ]);
  const head = [' ', 'backend', 'available', 'version', 'fine-tune', 'device', 'measured', 'reason'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  process.stdout.write(
    [line(head), ...rows.map(line), '', `a run with backend 'auto' would use: ${listing.selected}`].join(
      '\n',
    ) + '\n',
  );
  return 0;
}

/** Modes timed by --measure: full fine-tuning, the paper's trainFrom 11, frozen. */
const MEASURED_BLOCKS = [1, 11, FROZEN_BLOCK];

/**
 * Times one step of each mode on each available backend (calibrate records it). The cpu backend
 * times the frozen head only: its fine-tuning step takes minutes (about 1000x tensorflow).
 */
async function measure(listing: { backends: BackendInfo[] }): Promise<void> {
  const { useBackend } = await import('../../engine/backend/tf');
  const { calibrate } = await import('../../engine/train/estimate');
  const { YamnetModel } = await import('../../engine/yamnet/model');
  const { seededRandomWeights } = await import('../../engine/model/steps');
  const { defaultConfig } = await import('../../engine/config/schema');
  const paper = defaultConfig({ model: { kind: 'yamnet-lstm' } });
  if (paper.model.kind !== 'yamnet-lstm') throw new Error('unreachable: default model is yamnet-lstm');
  const seen = new Set<string>();
  for (const b of listing.backends) {
    if (!b.available || seen.has(b.backend)) continue;
    seen.add(b.backend);
    await useBackend(b.backend);
    const yamnet = new YamnetModel(seededRandomWeights(1));
    try {
      for (const k of b.backend === 'cpu' ? [FROZEN_BLOCK] : MEASURED_BLOCKS) {
        process.stderr.write(`measuring ${b.name}, first trained block ${k}…\n`);
        calibrate(k, {
          patchCounts: [7],
          batchSize: paper.training.batchSize,
          lstmUnits: paper.model.lstmUnits,
          numClasses: paper.data.classes.length,
          learningRate: paper.training.learningRate,
          yamnet,
          steps: k === FROZEN_BLOCK ? 5 : 2,
        });
      }
    } finally {
      yamnet.dispose();
    }
  }
}
