/**
 * The run plan (src/engine/runs/plan.ts) is the only place that decides a run's folds, its first
 * trained YAMNet block and its backend (issue 16). This test reads every source file under src/
 * (tests excluded) and refuses any other file that makes folds, indexes a run's corpus, decides
 * whether a backend can fine-tune, activates a backend, or writes the frozen block as a number.
 * The few other callers are listed here with the reason they are not deciding a run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../src/engine/util/paths';

interface Rule {
  what: string;
  pattern: RegExp;
  /** Files or folders (ending in /) relative to the repository that may match, with why. */
  allowed: Record<string, string>;
}

const PLAN = 'src/engine/runs/plan.ts';

const RULES: Rule[] = [
  {
    what: 'makes folds',
    pattern: /\bmakeFolds\s*\(/,
    allowed: {
      'src/engine/folds/': 'defines them',
      'src/engine/runs/prepare.ts': "the plan's corpus check (planCorpus calls it)",
      'src/cli/commands/folds.ts': "the `folds` command exports folds for its own flags, not a run's",
    },
  },
  {
    what: "indexes a run's corpus and checks its classes and folds",
    pattern: /\bprepareCorpus\s*\(/,
    allowed: { 'src/engine/runs/prepare.ts': 'defines it', [PLAN]: 'the plan' },
  },
  {
    what: 'decides whether YAMNet blocks can train on a backend',
    pattern: /\b(canFineTune|registerWasmTrainingKernels)\s*\(/,
    allowed: {
      'src/engine/backend/': 'defines it and lists it in `backends`',
      'src/engine/yamnet/': 'defines the kernels; a trainable YAMNet registers them',
      [PLAN]: 'the plan',
    },
  },
  {
    what: 'activates a backend',
    pattern: /\binitBackend\s*\(/,
    allowed: {
      'src/engine/backend/': 'defines it',
      [PLAN]: 'the plan',
      'src/engine/runs/predict.ts': "scores with a finished run's models (no training, no plan)",
      'src/cli/commands/weights.ts': '`weights check` loads YAMNet once (no run)',
    },
  },
  {
    what: 'writes the first trained block of frozen mode (or the last block) as a number',
    pattern:
      /\b(k|block|from|measuring|firstBlock)\s*(===|!==|<=|>=|<|>)\s*1[45]\b|\b15\b[^\n]*\bfrozen\b|\bfrozen\b[^\n]*\b15\b/i,
    allowed: { 'src/shared/first-block.ts': 'FROZEN_BLOCK and the trainFrom mapping' },
  },
];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.(ts|vue)$/.test(e.name) && !/\.test\.ts$/.test(e.name) ? [p] : [];
  });
}

/** `file:line: text (what)` for every line of `files` (relative path → text) a rule refuses. */
function violations(files: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [file, text] of files) {
    for (const rule of RULES) {
      const allowed = Object.keys(rule.allowed).some((a) =>
        a.endsWith('/') ? file.startsWith(a) : file === a,
      );
      if (allowed) continue;
      text.split('\n').forEach((line, i) => {
        if (rule.pattern.test(line)) out.push(`${file}:${i + 1}: ${line.trim()} (${rule.what})`);
      });
    }
  }
  return out;
}

describe('only the run plan decides folds, first trained block and backend', () => {
  it('no other source file does', () => {
    const root = repoRoot;
    const files = new Map(
      sourceFiles(path.join(root, 'src')).map((f) => [path.relative(root, f), fs.readFileSync(f, 'utf8')]),
    );
    expect(files.has(PLAN)).toBe(true);
    expect(violations(files)).toEqual([]);
  });

  it('finds each kind of decision written elsewhere (the rules are not vacuous)', () => {
    const planted = new Map([
      ['src/app/domains/x.ts', 'const folds = makeFolds(index.utterances, opts);'],
      ['src/engine/runs/runner.ts', 'const p = await prepareCorpus(config, dir);'],
      ['src/app/domains/y.ts', 'if (!canFineTune(active.name)) {'],
      ['src/engine/train/z.ts', 'await initBackend(config.backend);'],
      ['src/renderer/src/stores/w.ts', "const k = from === 'frozen' ? 15 : Number(from);"],
      ['src/engine/train/v.ts', 'return k === 15 ? 512 : 32;'],
    ]);
    expect(violations(planted).map((v) => v.split(':')[0])).toEqual([...planted.keys()]);
  });
});
