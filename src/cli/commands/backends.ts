import { parse, printJson } from '../args';
import { listBackends } from '../../engine/backend/describe';
import type { Device } from '../../engine/backend/device';

const usage = 'ser-workbench backends [--json]';

function deviceText(d: Device | null): string {
  if (!d) return '';
  if (d.kind === 'gpu') return `${d.name}${d.memoryMB ? ` ${Math.round(d.memoryMB / 1024)} GB` : ''}`;
  return `${d.name} (${d.cores} cores)`;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, { json: { type: 'boolean' } }, usage);
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
    b.reason,
  ]);
  const head = [' ', 'backend', 'available', 'version', 'fine-tune', 'device', 'reason'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  process.stdout.write(
    [line(head), ...rows.map(line), '', `a run with backend 'auto' would use: ${listing.selected}`].join(
      '\n',
    ) + '\n',
  );
  return 0;
}
