import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AccessError, permittedPath } from './access';

describe('permittedPath', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'serwb-access-'));
  const inside = path.join(root, 'corpus');
  fs.mkdirSync(inside);
  fs.writeFileSync(path.join(inside, 'a.wav'), '');
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'serwb-outside-'));
  fs.writeFileSync(path.join(outside, 'secret.txt'), 'x');

  it('allows files under a permitted folder', () => {
    expect(permittedPath([root], path.join(inside, 'a.wav'))).toBe(
      fs.realpathSync(path.join(inside, 'a.wav')),
    );
  });

  it('refuses traversal, relative paths, sibling prefixes and symlinks that leave the folder', () => {
    expect(() => permittedPath([root], path.join(inside, '..', '..', 'etc', 'passwd'))).toThrow(AccessError);
    expect(() => permittedPath([root], 'corpus/a.wav')).toThrow(AccessError);
    expect(() => permittedPath([inside], `${inside}-other/a.wav`)).toThrow(AccessError);
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(inside, 'link.txt'));
    expect(() => permittedPath([root], path.join(inside, 'link.txt'))).toThrow(AccessError);
  });
});
