/**
 * For tests that need the native backend: whether to run them, and a printed reason when they
 * skip. SER_REQUIRE_TENSORFLOW=1 (CI) turns a missing backend into failing tests, not skips.
 */
import { loadNativeBackend } from './native';

export function nativeForTests(suite: string): { run: boolean; reason: string } {
  const native = loadNativeBackend();
  if (native.ok) return { run: true, reason: '' };
  const required = process.env.SER_REQUIRE_TENSORFLOW === '1';
  if (!required) {
    process.stderr.write(
      `[${suite}] skipping native-backend tests: ${native.reason}\n` +
        `  run 'npm run setup:tensorflow' to build it; SER_REQUIRE_TENSORFLOW=1 makes this a failure\n`,
    );
  }
  // Required but absent: run, so that each test fails with the reason.
  return { run: required, reason: native.reason };
}

/** max |a - b| / max |b|: one scale-free number per comparison of two backends' outputs. */
export function relDiff(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let scale = 1e-12;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}
