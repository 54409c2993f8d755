/** `ser-workbench run` refuses config mistakes with exit 1 and a named field, writing nothing. */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../engine/config/schema';
import { synthesizeCorpus } from '../../engine/corpora';
import { repoRoot } from '../../engine/util/paths';

const exec = promisify(execFile);
const cli = path.join(repoRoot, 'bin', 'ser-workbench.mjs');
let tmp: string;
let home: string;
let corpus: string;

async function ser(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const env = { ...process.env, SER_WORKBENCH_HOME: home };
    const { stdout, stderr } = await exec(process.execPath, [cli, ...args], { env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const writeConfig = (name: string, config: unknown) => {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, JSON.stringify(config));
  return file;
};
const runsWritten = () =>
  fs.existsSync(path.join(home, 'runs')) ? fs.readdirSync(path.join(home, 'runs')) : [];

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-cli-cfg-'));
  home = path.join(tmp, 'home');
  corpus = path.join(tmp, 'corpus');
  await synthesizeCorpus(corpus, { speakers: 3, perClass: 2, seed: 4 });
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('ser-workbench run: config strictness', () => {
  it('refuses a misspelled key with a suggestion, exit 1, before anything is written', async () => {
    const file = writeConfig('typo.json', { training: { epoch: 2 } });
    const r = await ser(['run', file, '--data', corpus]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file} is not a valid experiment config:`);
    expect(r.stderr).toContain("training.epoch: unknown key; did you mean 'training.epochs'?");
    expect(r.stderr).not.toContain('    at ');
    expect(runsWritten()).toEqual([]);
  });

  it('refuses a class the corpus lacks, listing its classes, with no run folder left', async () => {
    const file = writeConfig('absent.json', { data: { classes: ['angry', 'fearful'] }, backend: 'cpu' });
    const r = await ser(['run', file, '--data', corpus]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(
      `data.classes: 'fearful' is not in the corpus ${corpus} (its classes: neutral, happy, sad, angry)`,
    );
    expect(runsWritten()).toEqual([]);
  });

  it('refuses a config given with --resume unless it equals the run’s', async () => {
    const runDir = path.join(tmp, 'a-run');
    fs.mkdirSync(runDir);
    const recorded = parseConfig({ name: 'r', training: { epochs: 4 } });
    fs.writeFileSync(path.join(runDir, 'config.json'), JSON.stringify({ config: recorded, dataDir: corpus }));
    const other = writeConfig('other.json', { name: 'r', training: { epochs: 3 } });
    const r = await ser(['run', other, '--resume', runDir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`the config differs from the run's in ${runDir}`);
    expect(r.stderr).toContain('training.epochs: the run has 4, the config 3');
    expect(fs.readdirSync(runDir)).toEqual(['config.json']);
  });
});
