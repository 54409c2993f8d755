import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { frontEndParams } from '../features/logmel';
import { CancelledError, ParameterError, UserError } from './errors';

describe('the errors module', () => {
  it('a parameter error names the parameter and the bad value, and is the user’s to fix', () => {
    let caught: unknown;
    try {
      frontEndParams({ patchHopSec: 0.485 });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ParameterError);
    expect(caught).toBeInstanceOf(UserError);
    expect((caught as ParameterError).message).toBe(
      'frontEnd.patchHopSec 0.485 is not a whole number of 0.01 s frames',
    );
    expect(() => frontEndParams({ form: 'mfcc' as never })).toThrow(
      `frontEnd.form "mfcc" is not a front-end form (yamnet, paper-power)`,
    );
  });

  it('one CancelledError, imported from util/ everywhere (train/ no longer re-exports it)', () => {
    expect(new CancelledError()).not.toBeInstanceOf(UserError);
  });

  it('model/ imports nothing from train/ (Rng and CancelledError live in util/)', () => {
    const dir = path.resolve(__dirname, '..', 'model');
    const offenders = fs
      .readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .filter((f) => /from '\.\.\/(\.\.\/)?train\//.test(fs.readFileSync(path.join(dir, f), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
