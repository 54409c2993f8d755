/** Builds the UI once when out/renderer is missing: the server serves the built files. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../src/engine/util/paths';

export default function setup(): void {
  if (fs.existsSync(path.join(repoRoot, 'out', 'renderer', 'index.html'))) return;
  execFileSync('npm', ['run', 'build'], { cwd: repoRoot, stdio: 'inherit' });
}
