import { describe, expect, it } from 'vitest';
import { defaultConfig, modeOf, parseConfig } from './schema';
import { UserError } from '../util/errors';

describe('experiment config', () => {
  it("fills in the paper's defaults", () => {
    const c = defaultConfig();
    expect(c.data.classes).toEqual(['angry', 'happy', 'sad', 'neutral']);
    expect(c.data.corpus).toBe('auto');
    expect(c.frontEnd.form).toBe('yamnet');
    expect(c.model).toEqual({
      kind: 'yamnet-lstm',
      lstmUnits: [150, 150],
      yamnet: { weights: 'pretrained', trainFrom: 'full' },
    });
    expect(c.training).toMatchObject({
      optimizer: 'adam',
      learningRate: 3e-4,
      batchSize: 24,
      epochs: 50,
      classWeights: false,
    });
    expect(c.crossValidation).toEqual({ scheme: 'loso', valFraction: 0.2 });
    expect(c.backend).toBe('auto');
    expect(modeOf(c)).toBe('fine-tune');
  });

  it('keeps partial user values and fills the rest', () => {
    const c = parseConfig({
      model: { kind: 'yamnet-lstm', yamnet: { trainFrom: 11 } },
      training: { epochs: 3 },
    });
    expect(c.model.kind === 'yamnet-lstm' && c.model.yamnet).toEqual({
      weights: 'pretrained',
      trainFrom: 11,
    });
    expect(c.training.epochs).toBe(3);
    expect(c.training.batchSize).toBe(24);
    expect(modeOf(c)).toBe('trainFrom11');
  });

  it('accepts baseline models', () => {
    const c = parseConfig({ model: { kind: 'baseline', features: 'gtcc+dl', classifier: 'rf' } });
    expect(modeOf(c)).toBe('baseline:gtcc+dl/rf');
  });

  it('names the bad field', () => {
    expect(() => parseConfig({ training: { batchSize: -3 } })).toThrow(
      /training\.batchSize: must be a positive integer/,
    );
    expect(() => parseConfig({ training: { batchSize: 2.5 } })).toThrow(
      /training\.batchSize: must be a positive integer/,
    );
    expect(() => parseConfig({ crossValidation: { scheme: 'kfold' } })).toThrow(
      /crossValidation\.k: k is required/,
    );
    expect(() => parseConfig({ model: { kind: 'yamnet-lstm', yamnet: { trainFrom: 15 } } })).toThrow(
      /model\.yamnet\.trainFrom: must be 'full', 'frozen' or a block number 1\.\.14/,
    );
    expect(() => parseConfig({ data: { classes: ['angry', 'joy'] } })).toThrow(/data\.classes/);
    expect(() => parseConfig({ backend: 'gpu' })).toThrow(UserError);
  });
});
