import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AccessError, isInside, permittedPath } from './access';

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

  it('names the link that leaves the folder and where it points, not only the path asked for', () => {
    fs.symlinkSync(outside, path.join(inside, 'dir-out'));
    const real = fs.realpathSync(outside);
    expect(() => permittedPath([root], path.join(inside, 'link.txt'))).toThrow(
      `${path.join(inside, 'link.txt')} is a symbolic link to ${path.join(real, 'secret.txt')}, outside the folders this workbench may open; links that leave a data folder are not followed`,
    );
    expect(() => permittedPath([root], path.join(inside, 'dir-out', 'secret.txt'))).toThrow(
      `${path.join(inside, 'dir-out')} is a symbolic link to ${real}, outside the folders this workbench may open; links that leave a data folder are not followed (opening ${path.join(inside, 'dir-out', 'secret.txt')})`,
    );
    // A link to another permitted folder is fine.
    fs.symlinkSync(path.join(inside, 'a.wav'), path.join(inside, 'alias.wav'));
    expect(permittedPath([root], path.join(inside, 'alias.wav'))).toBe(
      fs.realpathSync(path.join(inside, 'a.wav')),
    );
  });

  it('judges a dangling link by where it points', () => {
    fs.symlinkSync(path.join(outside, 'not-yet'), path.join(inside, 'dangling.wav'));
    expect(() => permittedPath([root], path.join(inside, 'dangling.wav'))).toThrow(
      /dangling\.wav is a symbolic link to .*not-yet, outside the folders/,
    );
  });

  it('refuses a NUL byte and a symlink loop with a reason, not an internal error', () => {
    expect(() => permittedPath([root], `${inside}/a.wav\0.txt`)).toThrow(/may not contain a NUL byte/);
    fs.symlinkSync(path.join(inside, 'loop-b'), path.join(inside, 'loop-a'));
    fs.symlinkSync(path.join(inside, 'loop-a'), path.join(inside, 'loop-b'));
    expect(() => permittedPath([root], path.join(inside, 'loop-a', 'x.wav'))).toThrow(/a symbolic link loop/);
  });

  it('never permits a path whose real location is outside the roots (property, generated paths)', () => {
    const realRoot = fs.realpathSync(root);
    const segment = fc.oneof(
      fc.constantFrom(
        '..',
        '.',
        '',
        'corpus',
        'a.wav',
        'link.txt',
        'dir-out',
        'alias.wav',
        'loop-a',
        'dangling.wav',
      ),
      fc.constantFrom(
        '%2e%2e',
        '%2e',
        '%252e%252e',
        '..%2f',
        '\0',
        'ünïcødé',
        '\u202e',
        '..\\..',
        'secret.txt',
      ),
      fc.string({ maxLength: 6 }),
    );
    const base = fc.constantFrom(root, inside, outside, '/', '/etc', '');
    fc.assert(
      fc.property(base, fc.array(segment, { maxLength: 6 }), (start, parts) => {
        const target = [start, ...parts].join('/');
        let got: string;
        try {
          got = permittedPath([root], target);
        } catch (err) {
          // Refused: with an AccessError, never anything else.
          return err instanceof AccessError;
        }
        if (!isInside(realRoot, got)) return false;
        // What exists at the permitted path really is inside (no link is left to follow out).
        if (fs.existsSync(got) && !isInside(realRoot, fs.realpathSync(got))) return false;
        return true;
      }),
      { numRuns: 2000, seed: 17 },
    );
  });
});
