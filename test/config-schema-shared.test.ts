/**
 * The schema in src/shared is the one every process uses: the engine's parseConfig, the server's
 * config.schema defaults and the renderer's model defaults all come from it.
 */
import { describe, expect, it } from 'vitest';
import { defaultConfig, parseConfig } from '../src/engine/config/schema';
import { configSchema, validateConfig } from '../src/app/domains/experiment';
import { methods } from '../src/shared/contract';
import { configDefaults, ExperimentConfigSchema, modelDefaults } from '../src/shared/config-schema';
import { PAPER_DEFAULTS } from '../src/shared/paper-defaults';

describe('the shared config schema', () => {
  it('gives the same defaults to the engine, the server and the renderer', () => {
    expect(configDefaults()).toEqual(defaultConfig());
    const served = methods['config.schema'].response.parse(configSchema());
    expect(served.defaults).toEqual(configDefaults());
  });

  it("fills a model kind's defaults from the schema (the form's kind switch)", () => {
    expect(modelDefaults('baseline')).toEqual({
      kind: 'baseline',
      features: PAPER_DEFAULTS.baseline.features,
      classifier: PAPER_DEFAULTS.baseline.classifier,
    });
    expect(modelDefaults('yamnet-lstm')).toEqual(configDefaults().model);
    // A baseline block the form builds passes the engine's own check.
    expect(parseConfig({ model: modelDefaults('baseline') }).model.kind).toBe('baseline');
  });

  it('types config.validate: the checked config, or null with the problems', () => {
    const ok = methods['config.validate'].response.parse(validateConfig({ training: { epochs: 3 } }));
    expect(ok.config?.training.epochs).toBe(3);
    const bad = methods['config.validate'].response.parse(validateConfig({ training: { epochs: 0 } }));
    expect(bad).toMatchObject({ ok: false, config: null });
    expect(bad.issues[0].path).toEqual(['training', 'epochs']);
  });

  it('a request config must be a JSON object; its fields are the handler’s to check', () => {
    const req = methods['config.validate'].request;
    expect(req.safeParse({ config: { training: { epoch: 3 } } }).success).toBe(true);
    expect(req.safeParse({ config: [] }).success).toBe(false);
    expect(req.safeParse({ config: 'x' }).success).toBe(false);
    expect(ExperimentConfigSchema.safeParse({ training: { epoch: 3 } }).success).toBe(false);
  });
});
