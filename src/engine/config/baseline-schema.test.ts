import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { baselineGrid, ExperimentConfigSchema, modeOf, parseConfig } from './schema';
import { UserError } from '../util/errors';

const baseline = (model: Record<string, unknown>) => parseConfig({ model: { kind: 'baseline', ...model } });
const gridOf = (model: Record<string, unknown>) => {
  const c = baseline(model);
  if (c.model.kind !== 'baseline') throw new Error('not a baseline');
  return baselineGrid(c.model);
};

describe('baseline model config: one value or a list', () => {
  it('keeps single-value configs valid with the same meaning', () => {
    expect(gridOf({ features: 'gtcc+dl', classifier: 'rf' })).toEqual({
      featureSets: ['gtcc+dl'],
      classifiers: ['rf'],
    });
    expect(modeOf(baseline({ features: 'gtcc+dl', classifier: 'rf' }))).toBe('baseline:gtcc+dl/rf');
    // Defaults: MFCC+DL with an SVM, as before.
    expect(gridOf({})).toEqual({ featureSets: ['mfcc+dl'], classifiers: ['svm'] });
    expect(modeOf(baseline({}))).toBe('baseline:mfcc+dl/svm');
  });

  it('accepts lists of feature sets and classifiers (classifier or classifiers)', () => {
    expect(gridOf({ features: ['mfcc+dl', 'gtcc+dl'], classifiers: ['rf', 'svm', 'mlp'] })).toEqual({
      featureSets: ['mfcc+dl', 'gtcc+dl'],
      classifiers: ['rf', 'svm', 'mlp'],
    });
    expect(gridOf({ features: ['mfcc'], classifier: ['mlp', 'rf'] })).toEqual({
      featureSets: ['mfcc'],
      classifiers: ['mlp', 'rf'],
    });
    expect(gridOf({ features: 'dl', classifiers: 'mlp' })).toEqual({
      featureSets: ['dl'],
      classifiers: ['mlp'],
    });
    expect(modeOf(baseline({ features: ['mfcc+dl', 'gtcc+dl'], classifiers: ['rf', 'svm'] }))).toBe(
      'baseline:mfcc+dl,gtcc+dl/rf,svm',
    );
  });

  it('names the field of each problem', () => {
    const bad = (model: Record<string, unknown>, message: RegExp) => {
      expect(() => baseline(model)).toThrow(UserError);
      expect(() => baseline(model)).toThrow(message);
    };
    bad({ features: 'wavelets' }, /model\.features: must be one of mfcc, gtcc, dl, mfcc\+dl, gtcc\+dl/);
    bad({ features: ['mfcc', 'wavelets'] }, /model\.features\[1\]: must be one of/);
    bad({ features: [] }, /model\.features: needs at least one value/);
    bad({ features: ['mfcc', 'mfcc'] }, /model\.features: lists a value twice/);
    bad({ classifier: 'knn' }, /model\.classifier: must be one of rf, svm, mlp/);
    bad({ classifiers: ['rf', 'rf'] }, /model\.classifiers: lists a value twice/);
    bad(
      { classifier: 'rf', classifiers: ['svm'] },
      /model\.classifiers: give either 'classifier' or 'classifiers'/,
    );
  });

  it('shows both forms in the JSON Schema the GUI reads', () => {
    const schema = z.toJSONSchema(ExperimentConfigSchema, { io: 'input', unrepresentable: 'any' });
    const text = JSON.stringify(schema);
    expect(text).toContain('"classifiers"');
    expect(text).toMatch(/"features":\{"default":"mfcc\+dl","anyOf":\[\{"type":"string"/);
  });
});
