/**
 * `npm run serve` on a fresh clone: no out/renderer yet. The real `serve` process builds the UI
 * once, says so on stderr, and then serves it.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../engine/util/paths';

const outRenderer = path.join(repoRoot, 'out', 'renderer');

describe('ser-workbench serve without a built UI', () => {
  it('builds out/renderer on demand with a progress line, then serves the page', async () => {
    const aside = `${outRenderer}.serve-test-${process.pid}`;
    const hadBuild = fs.existsSync(outRenderer);
    if (hadBuild) fs.renameSync(outRenderer, aside);
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-serve-'));
    const child = spawn(
      process.execPath,
      [path.join(repoRoot, 'bin', 'ser-workbench.mjs'), 'serve', '--port', '0'],
      {
        env: { ...process.env, SER_WORKBENCH_HOME: home },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /(http:\/\/\S+\?token=[0-9a-f]+)/.exec(out);
          if (m) resolve(m[1]);
        });
        child.on('exit', (code) => reject(new Error(`serve exited with ${code}:\n${err}`)));
      });
      expect(err).toMatch(/building the UI once/);
      expect(err).toMatch(/built the UI in \d+\.\d s/);
      expect(fs.existsSync(path.join(outRenderer, 'index.html'))).toBe(true);
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="app">');
    } finally {
      child.kill('SIGTERM');
      fs.rmSync(home, { recursive: true, force: true });
      // Leave a build behind either way: the fresh one, or the one moved aside.
      if (hadBuild) {
        if (fs.existsSync(path.join(outRenderer, 'index.html')))
          fs.rmSync(aside, { recursive: true, force: true });
        else {
          fs.rmSync(outRenderer, { recursive: true, force: true });
          fs.renameSync(aside, outRenderer);
        }
      }
    }
  }, 180_000);
});
