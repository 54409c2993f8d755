/** The dispatcher: `--help` on every command, and which failures are bad input (1) or bugs (2). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UserError } from '../engine/util/errors';
import { commandNames, describeFailure, main } from './main';

/** Runs the CLI in this process and returns what it printed. */
async function cli(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((c) => ((stdout += String(c)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((c) => ((stderr += String(c)), true));
  try {
    const code = await main(argv);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('--help', () => {
  it('prints the usage and exits 0 for every command in the dispatcher, doing nothing else', async () => {
    expect(commandNames).toEqual(
      expect.arrayContaining(['backends', 'bench', 'weights', 'setup', 'predict']),
    );
    for (const name of commandNames) {
      for (const flag of ['--help', '-h']) {
        const r = await cli([name, flag]);
        expect(r, `${name} ${flag}`).toMatchObject({ code: 0, stderr: '' });
        expect(r.stdout, `${name} ${flag}`).toMatch(new RegExp(`^usage: ser-workbench ${name}\\b`));
      }
    }
  });

  it('works after other options and on subcommands', async () => {
    for (const argv of [
      ['backends', '--json', '--help'],
      ['bench', '--only', 'x', '--help'],
      ['weights', 'download', '--help'],
      ['setup', 'tensorflow', '--help'],
      ['cache', 'status', '--help'],
    ]) {
      const r = await cli(argv);
      expect(r.code, argv.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/^usage: ser-workbench /);
    }
  });
});

describe('exit codes', () => {
  it('is 1 with the message only for bad input, including a file system error on a given path', () => {
    expect(describeFailure(new UserError('data.dir: no such folder'), false)).toEqual({
      code: 1,
      text: 'error: data.dir: no such folder\n',
    });
    const missing = path.join(os.tmpdir(), 'serwb-no-such-dir', 'x.json');
    let fsError: unknown;
    try {
      fs.readFileSync(missing);
    } catch (e) {
      fsError = e;
    }
    expect(describeFailure(fsError, false)).toEqual({
      code: 1,
      text: `error: ${missing}: no such file or folder (open)\n`,
    });
  });

  it('is 2 for a bug, with the stack only under --debug', () => {
    let bug: unknown;
    try {
      (null as unknown as { toFixed(): string }).toFixed();
    } catch (e) {
      bug = e;
    }
    const plain = describeFailure(bug, false);
    expect(plain.code).toBe(2);
    expect(plain.text).toMatch(/^internal error: Cannot read properties of null \(reading 'toFixed'\)\n/);
    expect(plain.text).toContain('run again with --debug');
    expect(plain.text).not.toMatch(/\n\s+at /);
    const debug = describeFailure(bug, true);
    expect(debug.code).toBe(2);
    expect(debug.text).toMatch(/\n\s+at /);
  });

  it('takes --debug anywhere on the line without passing it to the command', async () => {
    const r = await cli(['--debug', 'init-config', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: ser-workbench init-config/);
    expect((await cli(['init-config', '--bogus', '--debug'])).stderr).toMatch(
      /^error: Unknown option '--bogus'/,
    );
  });
});
