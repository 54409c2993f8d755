/**
 * Which lines of a run's log are for developers. The engine sends them at 'info' level (its
 * per-fold tensor count, a leak check), so the view recognises them by their text.
 */
const DEBUG_PATTERNS = [/\btf\.memory\(\)/, /\bnumTensors\b/];

export function isDebugLine(line: string): boolean {
  return DEBUG_PATTERNS.some((p) => p.test(line));
}
