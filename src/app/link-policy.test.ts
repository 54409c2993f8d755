/**
 * One policy for symbolic links that leave a data folder, everywhere: the index skips and lists
 * them (engine/corpora/scan.ts) and served mode refuses to open them (access.ts), while a link
 * that stays inside the folder works in both.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { indexCorpus } from '../engine/corpora';
import { OUTSIDE_LINK_REASON } from '../engine/corpora/scan';
import { writeTree } from '../engine/corpora/testing/wav';
import { permittedPath } from './access';

const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'serwb-links-')));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('links leaving a data folder', () => {
  it('are skipped by the index and refused by served mode; inner links work in both', async () => {
    const root = path.join(tmp, 'corpus');
    const outside = path.join(tmp, 'elsewhere');
    writeTree(root, ['angry/a_1.wav', 'sad/a_2.wav', 'angry/b_1.wav', 'sad/b_2.wav']);
    writeTree(outside, ['c_1.wav']);
    fs.symlinkSync(path.join(outside, 'c_1.wav'), path.join(root, 'angry', 'c_1.wav'));
    fs.symlinkSync(path.join(root, 'sad', 'a_2.wav'), path.join(root, 'sad', 'c_2.wav'));

    const index = await indexCorpus(root, { corpus: 'folders', classes: ['angry', 'sad'] });
    expect(index.skipped).toContainEqual({
      path: path.join(root, 'angry', 'c_1.wav'),
      reason: `${OUTSIDE_LINK_REASON} (to ${path.join(outside, 'c_1.wav')})`,
    });
    expect(index.utterances.map((u) => u.id)).toContain('sad/c_2.wav');

    expect(() => permittedPath([root], path.join(root, 'angry', 'c_1.wav'))).toThrow(/is a symbolic link to/);
    expect(permittedPath([root], path.join(root, 'sad', 'c_2.wav'))).toBe(path.join(root, 'sad', 'a_2.wav'));
  });
});
