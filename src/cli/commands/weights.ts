/**
 * `ser-workbench weights status|download|import|check`: the YAMNet weights the workbench uses.
 */
import path from 'node:path';
import { parse, printJson, progress } from '../args';
import { UserError } from '../../engine/util/errors';
import { initBackend } from '../../engine/backend/tf';
import { findClassMap, readClassMap } from '../../engine/yamnet/class-map';
import { loadYamnet, locateWeights } from '../../engine/yamnet/load';
import type { WeightsProvenance } from '../../engine/yamnet/provenance';
import {
  downloadWeights,
  importWeights,
  resolveWeightsSource,
  weightsStatus,
  type InstalledWeights,
} from '../../engine/yamnet/store';
import { runUpstreamCheck } from '../../engine/yamnet/upstream-check';

const USAGE = `ser-workbench weights <status|download|import|check> [options]
  status [--json]                         installed and selected weights, sha256 per file
  download [--h5] [--from URL] [--json]   fetch the official weights (TF Hub tfjs; --h5: Keras yamnet.h5)
  import FILE_OR_DIR [--json]             install a tfjs graph folder / model.json / yamnet.h5
  check [DIR] [--json]                    upstream test: silence, white noise, sine in the top 10
YAMNET_WEIGHTS=PATH overrides the installed weights everywhere.`;

function describe(p: WeightsProvenance): string {
  return [`source: ${p.source}`, ...p.files.map((f) => `  ${f.sha256}  ${f.name}`)].join('\n');
}

async function status(argv: string[]): Promise<number> {
  const { values } = parse(argv, { json: { type: 'boolean' } }, USAGE);
  const s = await weightsStatus();
  if (values.json) {
    printJson(s);
    return 0;
  }
  const lines = [`store: ${s.storeDir}`];
  if (!s.selected) lines.push('selected: none (run `ser-workbench weights download` or set YAMNET_WEIGHTS)');
  else {
    lines.push(`selected: ${s.selected.path} (${s.selected.origin}, ${s.selected.format})`);
    lines.push(describe(s.selected.provenance));
  }
  lines.push(`class map: ${s.classMap ?? 'not found'}`);
  lines.push(s.installed.length ? 'installed:' : 'installed: none');
  for (const i of s.installed)
    lines.push(
      `- ${i.slot}${i.selected ? ' (selected)' : ''}: ${i.provenance.source}, ${i.format}, ${i.path}`,
    );
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}

function printInstalled(result: InstalledWeights, json: boolean | undefined): void {
  if (json) printJson(result);
  else process.stdout.write(`installed ${result.slot} at ${result.path}\n${describe(result.provenance)}\n`);
}

async function download(argv: string[]): Promise<number> {
  const { values } = parse(
    argv,
    { json: { type: 'boolean' }, h5: { type: 'boolean' }, from: { type: 'string' } },
    USAGE,
  );
  let lastReport = 0;
  const result = await downloadWeights({
    format: values.h5 ? 'h5' : 'tfjs',
    baseUrl: values.from,
    onProgress: ({ file, received, total }) => {
      const now = Date.now();
      if (now - lastReport < 500 && received !== total) return;
      lastReport = now;
      const pct = total ? ` (${((100 * received) / total).toFixed(0)} %)` : '';
      progress(`${file}: ${received} bytes${pct}`);
    },
  });
  printInstalled(result, values.json);
  return 0;
}

async function importCmd(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' } }, USAGE);
  if (positionals.length !== 1) throw new UserError(`weights import needs one FILE_OR_DIR\nusage: ${USAGE}`);
  printInstalled(await importWeights(positionals[0]), values.json);
  return 0;
}

async function check(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' } }, USAGE);
  const source = positionals[0] ?? resolveWeightsSource().path;
  const dir = locateWeights(source).dir;
  const classMapFile = findClassMap(dir);
  if (!classMapFile) throw new UserError(`no yamnet_class_map.csv in ${dir} or ${path.dirname(dir)}`);
  const classes = readClassMap(classMapFile);
  await initBackend();
  const { model, provenance } = await loadYamnet(source);
  const { checks, pass } = runUpstreamCheck(model, classes);
  model.dispose();
  if (values.json) {
    printJson({
      weights: provenance,
      checks: checks.map(({ signal, expected, rank, score, top10 }) => ({
        signal,
        expected,
        rank,
        score,
        top10,
      })),
      pass,
    });
  } else {
    const out = [`weights: ${source}`, describe(provenance), ''];
    for (const c of checks) {
      out.push(
        `${c.signal}: expect "${c.expected}" in the top 10: rank ${c.rank} (${c.score.toFixed(4)}) ${c.pass ? 'PASS' : 'FAIL'}`,
      );
      c.top10.forEach((t, i) =>
        out.push(`  ${String(i + 1).padStart(2)}. ${t.score.toFixed(4)}  ${t.name} (${t.index})`),
      );
    }
    out.push(pass ? 'all checks pass' : 'CHECK FAILED');
    process.stdout.write(out.join('\n') + '\n');
  }
  return pass ? 0 : 1;
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(`usage: ${USAGE}\n`);
      return 0;
    case 'status':
      return status(rest);
    case 'download':
      return download(rest);
    case 'import':
      return importCmd(rest);
    case 'check':
      return check(rest);
    default:
      throw new UserError(
        `${sub ? `unknown weights command '${sub}'` : 'weights needs a command'}\nusage: ${USAGE}`,
      );
  }
}
