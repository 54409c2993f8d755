import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ConfigError,
  ExperimentConfigSchema,
  checkConfig,
  defaultConfig,
  modeOf,
  parseConfig,
} from './schema';
import { formatProblems } from './issues';
import { EMOTIONS } from '../corpora/types';
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

describe('config strictness', () => {
  const problemsOf = (input: unknown) => {
    const r = checkConfig(input);
    return r.ok ? [] : formatProblems(r.problems);
  };

  it('refuses an unknown key at every nesting level, suggesting the near one', () => {
    const cases: [unknown, string][] = [
      [{ trainng: {} }, "trainng: unknown key; did you mean 'training'?"],
      [{ data: { clases: 'all' } }, "data.clases: unknown key; did you mean 'data.classes'?"],
      [
        { frontEnd: { patchHop: 0.5 } },
        "frontEnd.patchHop: unknown key; did you mean 'frontEnd.patchHopSec'?",
      ],
      [
        { model: { kind: 'yamnet-lstm', lstmUnit: [8] } },
        "model.lstmUnit: unknown key; did you mean 'model.lstmUnits'?",
      ],
      [
        { model: { kind: 'yamnet-lstm', yamnet: { trainfrom: 3 } } },
        "model.yamnet.trainfrom: unknown key; did you mean 'model.yamnet.trainFrom'?",
      ],
      [
        { model: { kind: 'baseline', classifer: 'rf' } },
        "model.classifer: unknown key; did you mean 'model.classifier'?",
      ],
      [{ training: { epoch: 3 } }, "training.epoch: unknown key; did you mean 'training.epochs'?"],
      [
        { training: { earlyStopping: { patience: 2, patence: 3 } } },
        "training.earlyStopping.patence: unknown key; did you mean 'training.earlyStopping.patience'?",
      ],
      [
        { crossValidation: { schema: 'loso' } },
        "crossValidation.schema: unknown key; did you mean 'crossValidation.scheme'?",
      ],
    ];
    for (const [input, line] of cases) expect(problemsOf(input)).toContain(line);
    // Nothing near: the keys that exist there are listed instead.
    expect(problemsOf({ training: { zzzzzz: 1 } })[0]).toMatch(
      /^training\.zzzzzz: unknown key \(known here: optimizer, learningRate, batchSize, epochs/,
    );
    expect(() => parseConfig({ training: { epoch: 3 } }, 'exp.json')).toThrow(
      /exp\.json is not a valid experiment config:\n {2}training\.epoch: unknown key; did you mean 'training\.epochs'\?/,
    );
  });

  it('makes every object of the schema strict (a block added later must be too)', () => {
    const loose: string[] = [];
    const walk = (node: unknown, at: string) => {
      if (!node || typeof node !== 'object') return;
      const n = node as Record<string, unknown>;
      if (n.type === 'object' && n.properties && n.additionalProperties !== false)
        loose.push(at || '(config)');
      for (const [k, v] of Object.entries(n))
        walk(v, at && k !== 'properties' ? `${at}/${k}` : k === 'properties' ? at : k);
    };
    walk(z.toJSONSchema(ExperimentConfigSchema, { io: 'input', unrepresentable: 'any' }), '');
    expect(loose).toEqual([]);
  });

  it('names the entry of a bad list item and the value it got', () => {
    expect(problemsOf({ data: { classes: ['joy'] } })).toEqual([
      `data.classes[0]: 'joy' is not an emotion (one of ${EMOTIONS.join(', ')})`,
      'data.classes: needs at least two classes',
    ]);
    expect(problemsOf({ data: { classes: ['angry', 'angyr'] } })[0]).toMatch(
      /^data\.classes\[1\]: 'angyr' is not an emotion \(one of .*\) \(did you mean 'angry'\?\)$/,
    );
    expect(problemsOf({ data: { classes: ['angry', 'angry'] } })).toEqual([
      'data.classes: lists a class twice',
    ]);
    expect(problemsOf({ model: { kind: 'yamnet-lstm', lstmUnits: [8, -1] } })).toEqual([
      'model.lstmUnits[1]: must be a positive integer',
    ]);
    expect(problemsOf({ model: { kind: 'baseline', features: ['mfcc', 'x'] } })).toEqual([
      'model.features[1]: must be one of mfcc, gtcc, dl, mfcc+dl, gtcc+dl',
    ]);
    expect(problemsOf({ backend: 'wsam' })).toEqual([
      "backend: must be 'auto', 'tensorflow', 'wasm' or 'cpu' (did you mean 'wasm'?)",
    ]);
    expect(problemsOf({ model: { kind: 'yamnet-lsmt' } })).toEqual([
      "model.kind: kind must be 'yamnet-lstm' or 'baseline' (did you mean 'yamnet-lstm'?)",
    ]);
    // A value of neither type of a union keeps the union's own message.
    expect(problemsOf({ data: { classes: 'al' } })).toEqual([
      "data.classes: must be 'all' or a list of at least two emotions",
    ]);
  });

  it('gives the problems to callers that show them per field (the GUI)', () => {
    try {
      parseConfig({ training: { epoch: 3 }, data: { classes: ['joy', 'sad'] } });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems).toEqual([
        { path: ['data', 'classes', 0], message: `'joy' is not an emotion (one of ${EMOTIONS.join(', ')})` },
        { path: ['training', 'epoch'], message: "unknown key; did you mean 'training.epochs'?" },
      ]);
    }
  });
});
