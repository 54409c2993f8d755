/**
 * `npm run fuzz`: runs every `fuzz/*.fuzz.ts` module in its long form and prints its counts
 * (cases tried, failures). Exit 1 when any case failed. `--only NAME` runs one module,
 * `--seed N` changes the seed, `--short` runs the CI-sized version, `--jobs N` lets a module whose
 * cases are whole runs (kill-points) run N of them at once.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { FuzzModule, FuzzResult } from './types';

const here = path.dirname(fileURLToPath(import.meta.url));

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      seed: { type: 'string', default: '1' },
      short: { type: 'boolean', default: false },
      jobs: { type: 'string', default: '1' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log('usage: npm run fuzz [-- --only NAME] [--seed N] [--short] [--jobs N]');
    return 0;
  }
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) throw new Error(`--seed: '${values.seed}' is not an integer`);
  const jobs = Number(values.jobs);
  if (!Number.isInteger(jobs) || jobs < 1)
    throw new Error(`--jobs: '${values.jobs}' is not a positive integer`);
  const files = fs
    .readdirSync(here)
    .filter((f) => f.endsWith('.fuzz.ts'))
    .filter((f) => !values.only || f === `${values.only}.fuzz.ts`)
    .sort();
  if (files.length === 0) throw new Error(`no fuzz module matches '${values.only ?? '*'}' in ${here}`);
  const results: FuzzResult[] = [];
  for (const file of files) {
    const mod = (await import(pathToFileURL(path.join(here, file)).href)) as { fuzz: FuzzModule };
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `serwb-fuzz-${file.replace('.fuzz.ts', '')}-`));
    const t0 = Date.now();
    try {
      const r = await mod.fuzz({
        long: !values.short,
        seed,
        jobs,
        workDir,
        log: (l) => console.error(`  ${l}`),
      });
      results.push(r);
      console.log(
        `${r.name}: ${r.tried} cases, ${r.failures.length} failures (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
      );
      for (const f of r.failures.slice(0, 20)) console.log(`  FAIL ${f}`);
    } finally {
      fs.rmSync(workDir, { recursive: true, force: true });
    }
  }
  const tried = results.reduce((s, r) => s + r.tried, 0);
  const failed = results.reduce((s, r) => s + r.failures.length, 0);
  console.log(`fuzz: ${tried} cases tried, ${failed} failures`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(2);
  },
);
