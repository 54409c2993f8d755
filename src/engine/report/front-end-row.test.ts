import { describe, expect, it } from 'vitest';
import { protocolDifferences } from './comparison';
import { sampleRunSummary } from './sample-run';

describe("the paper comparison's front-end row", () => {
  it('shows the run’s log-mel form and patch hop, and differs from the paper when the hop does', () => {
    const base = sampleRunSummary({ statistics: false });
    const row = (s: typeof base) => protocolDifferences(s, 'ravdess').find((d) => d.aspect === 'front end');
    expect(row(base)).toBeUndefined(); // a run from before the front end was recorded
    expect(row({ ...base, frontEnd: { form: 'yamnet', patchHopSec: 0.48 } })).toEqual({
      aspect: 'front end',
      paper: 'log-mel, 0.975 s patches every 0.48 s',
      run: 'log-mel (yamnet), 0.975 s patches every 0.48 s',
      same: true,
    });
    expect(row({ ...base, frontEnd: { form: 'paper-power', patchHopSec: 0.24 } })).toMatchObject({
      run: 'log-mel (paper-power), 0.975 s patches every 0.24 s',
      same: false,
    });
  });
});
