/**
 * Corpus scanning (issue 17, item 2): symlink loops, dangling links, links leaving the corpus
 * folder, unreadable folders and files, and FIFOs named like audio are skipped and listed with a
 * reason, and the index goes on.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../util/paths';
import { indexCorpus } from './indexer';
import { OUTSIDE_LINK_REASON, scanCorpus } from './scan';
import { writeTestWav, writeTree } from './testing/wav';

let tmp: string;
let savedHome: string | undefined;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-scan-'));
  savedHome = process.env.SER_WORKBENCH_HOME;
  process.env.SER_WORKBENCH_HOME = path.join(tmp, 'home');
});
afterAll(() => {
  if (savedHome === undefined) delete process.env.SER_WORKBENCH_HOME;
  else process.env.SER_WORKBENCH_HOME = savedHome;
  fs.rmSync(tmp, { recursive: true, force: true });
});

const IDS = ['angry/a_1.wav', 'angry/b_1.wav', 'sad/a_2.wav', 'sad/b_2.wav'];
const opts = { corpus: 'folders' as const, classes: ['angry', 'sad'] as ['angry', 'sad'] };

describe('scanCorpus: links and odd entries are listed, never fatal', () => {
  it('symlink loops, dangling links, links leaving the folder and FIFOs are skipped with the reason', async () => {
    const root = writeTree(path.join(tmp, 'links'), IDS);
    const outside = path.join(tmp, 'outside');
    writeTestWav(path.join(outside, 'angry', 'c_1.wav'));
    // A loop of two links (resolving gives ELOOP), a link to itself, a dangling link.
    fs.symlinkSync(path.join(root, 'angry', 'y.wav'), path.join(root, 'angry', 'x.wav'));
    fs.symlinkSync(path.join(root, 'angry', 'x.wav'), path.join(root, 'angry', 'y.wav'));
    fs.symlinkSync('self.wav', path.join(root, 'sad', 'self.wav'));
    fs.symlinkSync(path.join(root, 'gone.wav'), path.join(root, 'sad', 'dangling.wav'));
    // A folder link back up the tree, a folder link and a file link leaving the corpus.
    fs.symlinkSync(root, path.join(root, 'sad', 'up'));
    fs.symlinkSync(path.join(outside, 'angry'), path.join(root, 'elsewhere'));
    fs.symlinkSync(path.join(outside, 'angry', 'c_1.wav'), path.join(root, 'angry', 'c_1.wav'));
    // A link inside the corpus is followed.
    fs.symlinkSync(path.join(root, 'sad', 'a_2.wav'), path.join(root, 'sad', 'c_2.wav'));
    execFileSync('mkfifo', [path.join(root, 'sad', 'pipe.wav')]);

    const scan = scanCorpus(root);
    const reasons = Object.fromEntries(scan.skipped.map((s) => [path.relative(root, s.path), s.reason]));
    expect(reasons).toEqual({
      'angry/x.wav': 'symlink loop (the link resolves to itself)',
      'angry/y.wav': 'symlink loop (the link resolves to itself)',
      'sad/self.wav': 'symlink loop (the link resolves to itself)',
      'sad/dangling.wav': 'dangling symlink (its target does not exist)',
      'sad/up': `symlink loop (links to ${fs.realpathSync(root)}, already indexed)`,
      elsewhere: `${OUTSIDE_LINK_REASON} (to ${fs.realpathSync(path.join(outside, 'angry'))})`,
      'angry/c_1.wav': `${OUTSIDE_LINK_REASON} (to ${fs.realpathSync(path.join(outside, 'angry', 'c_1.wav'))})`,
      'sad/pipe.wav': 'not a regular file (a named pipe)',
    });

    const index = await indexCorpus(root, opts);
    expect(index.utterances.map((u) => u.id)).toEqual([...IDS, 'sad/c_2.wav'].sort());
    for (const [rel, reason] of Object.entries(reasons))
      expect(index.skipped).toContainEqual({ path: path.join(root, rel), reason });
  });
});

describe('unreadable folders and files', () => {
  /**
   * Tests run as root here, and root reads a chmod 000 folder anyway. So the CLI runs as the
   * unprivileged user `nobody` (uid 65534, through spawn's uid/gid options) when this process is
   * root, and as itself otherwise: in both cases the permission error is real, raised by the kernel.
   */
  it('an unlistable subfolder and an unreadable file are skipped and listed; the index goes on', () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'ser-scan-perm-'));
    try {
      fs.chmodSync(base, 0o755);
      const root = writeTree(path.join(base, 'corpus'), [...IDS, 'locked/angry/z_1.wav']);
      for (const d of ['corpus', 'corpus/angry', 'corpus/sad', 'corpus/locked'])
        fs.chmodSync(path.join(base, d), 0o755);
      for (const id of IDS) fs.chmodSync(path.join(root, id), 0o644);
      fs.chmodSync(path.join(root, 'locked'), 0o000);
      fs.chmodSync(path.join(root, 'sad', 'b_2.wav'), 0o000);
      const home = path.join(base, 'home');
      fs.mkdirSync(home, { mode: 0o777 });
      fs.chmodSync(home, 0o777);
      const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
      const r = spawnSync(
        process.execPath,
        [
          path.join(repoRoot, 'bin', 'ser-workbench.mjs'),
          'index',
          root,
          '--corpus',
          'folders',
          '--classes',
          'angry,sad',
          '--json',
        ],
        { ...asNobody, encoding: 'utf8', env: { ...process.env, SER_WORKBENCH_HOME: home, HOME: home } },
      );
      expect(r.status, r.stderr).toBe(0);
      const doc = JSON.parse(r.stdout) as { files: number; skipped: { path: string; reason: string }[] };
      expect(doc.files).toBe(3);
      expect(doc.skipped).toContainEqual({
        path: path.join(root, 'locked'),
        reason: 'cannot list folder (EACCES)',
      });
      expect(doc.skipped).toContainEqual({
        path: path.join(root, 'sad', 'b_2.wav'),
        reason: expect.stringMatching(/EACCES/),
      });
    } finally {
      fs.chmodSync(path.join(base, 'corpus', 'locked'), 0o755);
      fs.rmSync(base, { recursive: true, force: true });
    }
  });
});
