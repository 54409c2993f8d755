/**
 * The paper's protocol values live in src/shared/paper-defaults.ts only: every other source file
 * derives them from PAPER_DEFAULTS, so a default cannot drift from the paper in one place. Tests
 * may write the numbers out (they check them); comments may name them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../src/engine/config/schema';
import { frontEndParams } from '../src/engine/features/logmel';
import { PAPER_PROTOCOL } from '../src/engine/report/paper';
import { PAPER_DEFAULTS } from '../src/shared/paper-defaults';

const root = path.resolve(__dirname, '..', 'src');
const OWNER = path.join(root, 'shared', 'paper-defaults.ts');

/** Literals of the paper's protocol as code writes them. */
const FORBIDDEN: { what: string; re: RegExp }[] = [
  { what: 'sample rate 16000', re: /\b16_?000\b/ },
  { what: 'a 96×64 patch shape', re: /\b96\s*[,*]\s*64\b/ },
  { what: '96 patch frames', re: /\b(frames|patchFrames)\s*:\s*96\b/ },
  { what: '64 mel bands', re: /\b(bands|melBands|numBands)\s*:\s*64\b/ },
  { what: 'the 125-7500 Hz mel range', re: /\b(fminHz|fmaxHz|fMin|fMax)\s*:\s*(125|7500)\b/ },
  { what: 'the 48-frame patch hop', re: /\bpatchHop(Frames|Sec)\s*:\s*(48|0\.48)\b/ },
  { what: 'the LSTM 150×2', re: /\[\s*150\s*,\s*150\s*\]/ },
  { what: 'the learning rate 3e-4', re: /\b(3e-4|0\.0003)\b/ },
  { what: 'batch 24 / 50 epochs', re: /\b(batchSize\s*:\s*24|epochs\s*:\s*50)\b/ },
  { what: "the paper's class list", re: /\[\s*'angry',\s*'happy',\s*'sad',\s*'neutral'\s*\]/ },
];

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.(ts|vue)$/.test(e.name) && !/\.test\.ts$/.test(e.name) ? [p] : [];
  });
}

/** The code of a file with its comments blanked (line numbers kept). */
function code(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '))
    .replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1')
    .replace(/<!--[\s\S]*?-->/g, (c) => c.replace(/[^\n]/g, ' '));
}

describe('PAPER_DEFAULTS', () => {
  it('no source file outside src/shared/paper-defaults.ts writes the paper protocol as a literal', () => {
    const found: string[] = [];
    for (const file of sources(root)) {
      if (file === OWNER) continue;
      code(fs.readFileSync(file, 'utf8'))
        .split('\n')
        .forEach((line, i) => {
          for (const f of FORBIDDEN)
            if (f.re.test(line)) found.push(`${path.relative(root, file)}:${i + 1}: ${f.what}`);
        });
    }
    expect(found).toEqual([]);
  });

  it('the schema defaults, the front end and the paper comparison are the paper values', () => {
    const c = defaultConfig();
    expect(c.training).toMatchObject(PAPER_DEFAULTS.training);
    expect(c.model.kind === 'yamnet-lstm' && c.model.lstmUnits).toEqual(PAPER_DEFAULTS.model.lstmUnits);
    expect(c.data.classes).toEqual(PAPER_DEFAULTS.classes);
    expect(c.frontEnd.patchHopSec).toBe(PAPER_DEFAULTS.frontEnd.patchHopSec);
    expect(c.crossValidation.valFraction).toBe(PAPER_DEFAULTS.crossValidation.valFraction);
    const p = frontEndParams(c.frontEnd);
    expect(p).toMatchObject({ sampleRate: 16000, melBands: 64, patchFrames: 96, patchHopFrames: 48 });
    expect(p).toMatchObject({ fminHz: 125, fmaxHz: 7500, minSamples: 15600, padHopSamples: 7680 });
    // 96 frames of 10 ms plus the last window's 15 ms: 0.975 s.
    expect((p.minSamples / p.sampleRate).toFixed(3)).toBe(String(PAPER_DEFAULTS.frontEnd.patchSec));
    expect(PAPER_PROTOCOL.ravdess.training).toEqual(PAPER_DEFAULTS.training);
  });
});
