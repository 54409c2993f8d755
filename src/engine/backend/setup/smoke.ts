/**
 * Proves an installed native backend works in a fresh Node process, as the project will load it:
 * the project's @tensorflow/tfjs first, then the native package registering on it. A child
 * process, because a broken binding can abort the process that loads it.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export interface SmokeResult {
  backend: string;
  tfVersion: string;
  /** max |tensorflow - cpu| / max |cpu| over both gradients of a small conv2d. */
  convGradMaxRelDiff: number;
}

const script = String.raw`
const { createRequire } = require('module');
const path = require('path');
const req = createRequire(path.join(process.env.SMOKE_ROOT, 'package.json'));
const tf = req('@tensorflow/tfjs');
req(process.env.SMOKE_PKG);
const backend = tf.getBackend();
const tfVersion = tf.backend().binding.TF_Version;
function data(n, seed) {
  let s = seed; const a = new Float32Array(n);
  for (let i = 0; i < n; i++) { s = (s * 1103515245 + 12345) % 2147483648; a[i] = s / 2147483648 - 0.5; }
  return a;
}
const xd = data(2 * 16 * 16 * 3, 1), wd = data(3 * 3 * 3 * 4, 2);
function grads() {
  return tf.tidy(() => {
    const x = tf.tensor4d(xd, [2, 16, 16, 3]), w = tf.tensor4d(wd, [3, 3, 3, 4]);
    const g = tf.grads((x, w) => tf.conv2d(x, w, 1, 'same').square().sum())([x, w]);
    return g.map((t) => t.dataSync().slice());
  });
}
tf.setBackend('tensorflow'); const a = grads();
tf.setBackend('cpu'); const b = grads();
let rel = 0;
for (let k = 0; k < 2; k++) {
  let scale = 1e-12, diff = 0;
  for (let i = 0; i < b[k].length; i++) { scale = Math.max(scale, Math.abs(b[k][i])); diff = Math.max(diff, Math.abs(a[k][i] - b[k][i])); }
  rel = Math.max(rel, diff / scale);
}
process.stdout.write('\n' + JSON.stringify({ backend, tfVersion, convGradMaxRelDiff: rel }) + '\n');
`;

export async function smokeTest(projectRoot: string, pkg: string): Promise<SmokeResult> {
  try {
    const { stdout } = await execFileP(process.execPath, ['-e', script], {
      env: { ...process.env, SMOKE_ROOT: projectRoot, SMOKE_PKG: pkg, TF_CPP_MIN_LOG_LEVEL: '2' },
      timeout: 180_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    const last = stdout.trim().split('\n').pop() ?? '';
    const result = JSON.parse(last) as SmokeResult;
    if (result.backend !== 'tensorflow')
      throw new Error(`active backend is '${result.backend}', not tensorflow`);
    if (!(result.convGradMaxRelDiff < 1e-4)) {
      throw new Error(
        `conv2d gradients differ from the cpu backend's (max relative ${result.convGradMaxRelDiff})`,
      );
    }
    return result;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    const detail = (e.stderr || e.message).trim().split('\n').slice(-6).join('\n');
    throw new Error(`smoke test of ${pkg} failed in ${path.basename(projectRoot)}: ${detail}`);
  }
}
