#!/usr/bin/env node
// `npm run dev`: the Electron app in development. Electron 45 declares Node >= 22.12; the CLI and
// the served UI (`npm run serve`) need only Node >= 20.19, so only this entry point checks.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(
    `npm run dev starts Electron 45, which needs Node >= 22.12 (this is Node ${process.versions.node}).\n` +
      'The same UI runs in a browser on this Node: npm run serve\n',
  );
  process.exit(1);
}
const require = createRequire(import.meta.url);
const bin = path.join(path.dirname(require.resolve('electron-vite/package.json')), 'bin', 'electron-vite.js');
// electron-vite builds main and preload, serves the renderer with hot reload, and starts Electron
// (whose package downloads its binary on first use).
const child = spawn(process.execPath, [bin, 'dev', ...process.argv.slice(2)], { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
