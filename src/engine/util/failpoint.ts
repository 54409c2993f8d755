/**
 * Fault injection for the kill-point fuzzer (fuzz/kill-points.fuzz.ts): with
 * SER_FAILPOINT=<name>:<n> in the environment, the n-th time this process passes the failpoint
 * `<name>` it kills itself with SIGKILL, exactly as an OOM killer or a cluster's time limit would.
 * Names: `write:<file name>:before-rename` / `write:<file name>:after-rename` (every atomic
 * write; the part after `write:` is matched as a regular expression against the file name) and
 * `batch` (after each training batch). Without the variable a failpoint costs one comparison.
 */
const spec = (() => {
  const raw = process.env.SER_FAILPOINT;
  if (!raw) return null;
  const at = raw.lastIndexOf(':');
  const count = Number(raw.slice(at + 1));
  if (at <= 0 || !Number.isInteger(count) || count < 1) return null;
  return { name: raw.slice(0, at), count, seen: 0 };
})();

let pattern: RegExp | null = null;

export function failpoint(name: string): void {
  if (!spec) return;
  if (spec.name.startsWith('write:') && name.startsWith('write:')) {
    // write:<regex>:<stage> against write:<file>:<stage>
    const [, re, stage] = /^write:(.*):(before-rename|after-rename)$/.exec(spec.name) ?? [];
    const [, file, here] = /^write:(.*):(before-rename|after-rename)$/.exec(name) ?? [];
    pattern ??= new RegExp(re ?? '^$');
    if (stage !== here || !pattern.test(file ?? '')) return;
  } else if (spec.name !== name) return;
  spec.seen++;
  if (spec.seen === spec.count) process.kill(process.pid, 'SIGKILL');
}
