import { describe, expect, it } from 'vitest';
import { checkConfig } from '../src/engine/config/schema';
import { formatIssuePath, issuesByField } from '../src/shared/config-issues';

describe('config problems in the form', () => {
  it('shows an entry’s problem at its field, with the entry named', () => {
    const checked = checkConfig({
      data: { classes: ['joy', 'sad'] },
      training: { epoch: 3 },
      frontEnd: { patchHopSec: 0 },
    });
    expect(checked.ok).toBe(false);
    const byField = issuesByField(checked.ok ? [] : checked.problems);
    // The Classes field (keyed data.classes) says which entry is wrong.
    expect(byField['data.classes']).toMatch(/^data\.classes\[0\]: 'joy' is not an emotion \(one of /);
    expect(byField['frontEnd.patchHopSec']).toBe('must be a positive number');
    expect(byField['training.epoch']).toBe("unknown key; did you mean 'training.epochs'?");
    expect(byField.training).toBe("training.epoch: unknown key; did you mean 'training.epochs'?");
  });

  it('formats paths as the CLI prints them', () => {
    expect(formatIssuePath(['data', 'classes', 0])).toBe('data.classes[0]');
    expect(formatIssuePath(['model', 'lstmUnits', 1])).toBe('model.lstmUnits[1]');
    expect(formatIssuePath([])).toBe('(config)');
  });
});
