/**
 * The TensorFlow C functions tfjs-node's binding calls, and whether a set of shared libraries
 * exports them. Checked before building: a library that lacks one links fine with
 * `--allow-shlib-undefined` defaults but fails at load time with an unhelpful dlopen error.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** Class names the binding defines itself (RAII wrappers), not library functions. */
const bindingOwnNames = /^TFE?_Auto/;

/** Every `TF_x(` / `TFE_x(` call in the binding's C++ sources. */
export function requiredSymbols(bindingSourceDir: string): string[] {
  const names = new Set<string>();
  for (const file of fs.readdirSync(bindingSourceDir)) {
    if (!/\.(cc|h)$/.test(file)) continue;
    const text = fs.readFileSync(path.join(bindingSourceDir, file), 'utf8');
    for (const m of text.matchAll(/\b(TFE?_[A-Za-z0-9]+)\s*\(/g)) {
      if (!bindingOwnNames.test(m[1])) names.add(m[1]);
    }
  }
  return [...names].sort();
}

/** Defined dynamic TF_/TFE_ symbols of shared libraries (`nm -D`, version suffixes dropped). */
export function exportedSymbols(libraries: string[]): Set<string> {
  const out = new Set<string>();
  for (const lib of libraries) {
    let text: string;
    try {
      text = execFileSync('nm', ['-D', '--defined-only', lib], {
        encoding: 'utf8',
        maxBuffer: 512 * 1024 * 1024,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new Error(
        code === 'ENOENT'
          ? 'nm not found (install binutils)'
          : `nm -D ${lib} failed: ${(err as Error).message}`,
      );
    }
    for (const line of text.split('\n')) {
      const name = line.trim().split(/\s+/)[2];
      if (name && /^TFE?_/.test(name)) out.add(name.replace(/@.*$/, ''));
    }
  }
  return out;
}

export interface SymbolCheck {
  required: number;
  missing: string[];
}

export function checkSymbols(bindingSourceDir: string, libraries: string[]): SymbolCheck {
  const required = requiredSymbols(bindingSourceDir);
  const exported = exportedSymbols(libraries);
  return { required: required.length, missing: required.filter((s) => !exported.has(s)) };
}
