/**
 * The Runs view (issue 18, item 4) in Chromium on a real frozen run of the RAVDESS subset: ETA
 * ('estimating…' first, then a time), progress text that stays put, a wrapping log, cancel with
 * 'cancelling…', resume with 'resuming…', curves as mean ± band with single folds on request,
 * rename, delete to the trash and restore.
 */
import path from 'node:path';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { sharedDir } from '../src/engine/util/paths';
import { artifactsDir, launchChromium, callApi, openPage, startServe, type Served } from './support';

let served: Served;
let browser: Browser;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  fs.mkdirSync(artifactsDir, { recursive: true });
  served = await startServe();
  browser = await launchChromium();
  page = await openPage(browser, problems);
});
afterAll(async () => {
  await browser?.close();
  await served?.stop();
});

const api = async (method: string, body: unknown) =>
  (await callApi(served, method, body)) as Record<string, unknown>;

describe('runs view', () => {
  let id = '';
  const row = () => page.locator(`[data-run="${id}"]`);
  const state = () => row().locator('[data-test="run-state"]').textContent();

  it('shows live progress that stays put, an ETA once known, and a wrapping log', async () => {
    const run = await api('runs.start', {
      config: {
        name: 'e2e-runs',
        data: { dir: path.join(sharedDir(), 'data', 'ravdess') },
        model: { kind: 'yamnet-lstm', yamnet: { trainFrom: 'frozen' } },
        // Long enough to be cancelled, resumed and cancelled again: with the compiled frozen step
        // the subset's 4 folds × 60 epochs ended before the cancel test began. Small batches
        // lengthen an epoch (16 steps) without flooding the page with thousands of epoch events.
        training: { epochs: 300, batchSize: 2 },
      },
    });
    id = String(run.id);
    await page.goto(served.url);
    await page.click('[data-nav="runs"]');
    await row().waitFor();
    // Before the run has estimated anything, the ETA says so rather than staying blank.
    const firstEta = await row().locator('[data-test="run-eta"]').textContent();
    expect(firstEta === 'estimating…' || /\d+ (s|min)/.test(firstEta ?? '')).toBe(true);
    await expect
      .poll(() => row().locator('[data-test="run-progress"]').textContent(), { timeout: 240_000 })
      .toMatch(/fold \d+\/4 · epoch \d+\/300/);
    // Once the first epoch ends the ETA is a time, and it stays one.
    await expect
      .poll(() => row().locator('[data-test="run-eta"]').textContent(), { timeout: 120_000 })
      .toMatch(/^\d+ (s|min \d\d s)$|^\d+ h/);
    const seen: string[] = [];
    for (let i = 0; i < 12; i++) {
      seen.push(
        `${await row().locator('[data-test="run-progress"]').textContent()}|${await row()
          .locator('[data-test="run-eta"]')
          .textContent()}`,
      );
      await page.waitForTimeout(250);
    }
    for (const s of seen)
      expect(s).toMatch(/^fold \d+\/4 · epoch \d+\/300\|(\d+ (s|min \d\d s)|\d+ h \d\d min)$/);
    const log = page.locator('[data-test="run-log"]');
    await log.waitFor();
    expect(await log.evaluate((el) => getComputedStyle(el).whiteSpace)).toBe('pre-wrap');
    expect(await log.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    await page.screenshot({ path: path.join(artifactsDir, '03b-runs-live.png') });
  });

  it('draws curves as mean ± sd over folds, single folds on request', async () => {
    const legend = () => page.locator('[data-test$="loss-curves"] .legend .traces').allTextContents();
    await expect
      .poll(legend, { timeout: 120_000 })
      .toEqual(expect.arrayContaining([expect.stringMatching(/^train mean \(\d folds?\)$/), 'train ± sd']));
    expect((await legend()).some((t) => /fold 1 train/.test(t))).toBe(false);
    await page.check('[data-test="curves-single-folds"]');
    await expect.poll(legend).toEqual(expect.arrayContaining([expect.stringMatching(/^fold \d train$/)]));
    await page.uncheck('[data-test="curves-single-folds"]');
  });

  /**
   * Every text the row's state and Cancel button take, recorded in the page as the DOM changes, so a
   * state that lasts one frame (a cancel that takes effect at once) is still seen.
   */
  async function recordStates(): Promise<() => Promise<string[]>> {
    await row().evaluate((el) => {
      const seen: string[] = [];
      const take = () => {
        const text = el.querySelector('[data-test="run-state"]')?.textContent ?? '';
        const btn = el.querySelector<HTMLButtonElement>('[data-test="run-cancel"]');
        const resume = el.querySelector('[data-test="run-resume"]');
        const entry = `${text}|cancel:${btn ? (btn.disabled ? 'disabled' : 'enabled') : 'none'}|resume:${resume ? 'yes' : 'no'}`;
        if (seen.at(-1) !== entry) seen.push(entry);
      };
      take();
      new MutationObserver(take).observe(el, {
        subtree: true,
        childList: true,
        characterData: true,
        attributes: true,
      });
      (window as unknown as { __states: string[] }).__states = seen;
    });
    return () => page.evaluate(() => (window as unknown as { __states: string[] }).__states);
  }

  it('shows cancelling… at once, then cancelled; resuming… then running', async () => {
    let states = await recordStates();
    const clicked = Date.now();
    await row().locator('[data-test="run-cancel"]').click();
    await expect.poll(state, { timeout: 120_000, interval: 200 }).toBe('cancelled');
    const cancelSec = (Date.now() - clicked) / 1000;
    process.stdout.write(`cancel took ${cancelSec.toFixed(1)} s (frozen run on RAVDESS)\n`);
    // The click shows 'cancelling…' with a disabled Cancel before the run answers 'cancelled'.
    const cancelSeen = (await states()).map((s) => s.split('|').slice(0, 2).join('|'));
    expect(cancelSeen).toContain('cancelling…|cancel:disabled');
    expect(cancelSeen.indexOf('cancelling…|cancel:disabled')).toBeLessThan(
      cancelSeen.indexOf('cancelled|cancel:none'),
    );
    expect(cancelSeen.at(-1)).toBe('cancelled|cancel:none');
    await page.screenshot({ path: path.join(artifactsDir, '07-runs-cancelled.png') });
    expect(((await api('runs.get', { id })).status as { state: string }).state).toBe('cancelled');

    // The log follows its newest line: squeeze it so the resumed run's lines overflow it.
    const log = page.locator('[data-test="run-log"]');
    await page.check('[data-test="log-debug"]');
    await log.evaluate((el) => (el.style.maxHeight = '3.5em'));
    const lines = async () => ((await log.textContent()) ?? '').split('\n').length;
    const atBottom = () => log.evaluate((el) => el.scrollTop + el.clientHeight >= el.scrollHeight - 8);

    states = await recordStates();
    await row().locator('[data-test="run-resume"]').click();
    await expect.poll(state, { timeout: 240_000, interval: 200 }).toBe('running');
    // 'resuming…' with neither Resume nor Cancel until the resumed job reports.
    const resumeSeen = await states();
    expect(resumeSeen).toContain('resuming…|cancel:none|resume:no');
    expect(resumeSeen.indexOf('resuming…|cancel:none|resume:no')).toBeLessThan(
      resumeSeen.findIndex((s) => s.startsWith('running|')),
    );

    await expect
      .poll(() => log.evaluate((el) => el.scrollHeight > el.clientHeight + 10), { timeout: 120_000 })
      .toBe(true);
    const before = await lines();
    await expect.poll(lines, { timeout: 120_000, interval: 250 }).toBeGreaterThan(before);
    expect(await atBottom()).toBe(true);
    // Scrolled up to read an older line, the reader stays there while lines arrive…
    await log.evaluate((el) => {
      el.scrollTop = 0;
      el.dispatchEvent(new Event('scroll'));
    });
    const held = await lines();
    await expect.poll(lines, { timeout: 120_000, interval: 250 }).toBeGreaterThan(held);
    expect(await log.evaluate((el) => el.scrollTop)).toBe(0);
    // …and back at the bottom, it follows again.
    await log.evaluate((el) => {
      el.scrollTop = el.scrollHeight;
      el.dispatchEvent(new Event('scroll'));
    });
    const again = await lines();
    await expect.poll(lines, { timeout: 120_000, interval: 250 }).toBeGreaterThan(again);
    expect(await atBottom()).toBe(true);
    await log.evaluate((el) => (el.style.maxHeight = ''));
    await page.uncheck('[data-test="log-debug"]');

    await row().locator('[data-test="run-cancel"]').click();
    await expect.poll(state, { timeout: 120_000, interval: 200 }).toBe('cancelled');
  });

  it('renames a run, deletes it to the trash and restores it', async () => {
    expect(await state()).toBe('cancelled');
    await row().locator('[data-test="run-rename"]').click();
    await row().locator('[data-test="run-name-input"]').fill('LOSO frozen, first try');
    await row().locator('[data-test="run-name-input"]').press('Enter');
    await expect
      .poll(() => row().locator('[data-test="run-name"]').textContent())
      .toBe('LOSO frozen, first try');
    expect(((await api('runs.list', {})) as unknown as { id: string; name: string }[])[0].name).toBe(
      'LOSO frozen, first try',
    );

    await row().locator('[data-test="run-delete"]').click();
    await page.locator(`[data-trashed="${id}"]`).waitFor();
    expect(await row().count()).toBe(0);
    expect(fs.existsSync(path.join(served.home, 'trash', 'runs', id, 'config.json'))).toBe(true);
    expect(fs.existsSync(path.join(served.home, 'runs', id))).toBe(false);

    await page.locator(`[data-trashed="${id}"] [data-test="run-restore"]`).click();
    await row().waitFor();
    expect(await row().locator('[data-test="run-name"]').textContent()).toBe('LOSO frozen, first try');
    expect(await state()).toBe('cancelled');
    expect(fs.existsSync(path.join(served.home, 'runs', id, 'config.json'))).toBe(true);
    expect(problems).toEqual([]);
  });

  it('keeps answering through a long, fast run (thousands of epoch events)', async () => {
    // The run that made the page stop answering before events were coalesced (stores/runs.ts
    // FLUSH_INTERVAL_MS): frozen epochs on the subset take ~0.05 s, two fold workers send about
    // 40 epoch events a second, and after a minute the row could not be read for 30 s.
    const flood = await api('runs.start', {
      config: {
        name: 'e2e-runs-flood',
        data: { dir: path.join(sharedDir(), 'data', 'ravdess') },
        model: { kind: 'yamnet-lstm', yamnet: { trainFrom: 'frozen' } },
        training: { epochs: 5000 },
      },
    });
    const floodRow = page.locator(`[data-run="${String(flood.id)}"]`);
    const progressText = () => floodRow.locator('[data-test="run-progress"]').textContent();
    const epochOf = async () => Number(/epoch (\d+)\/5000/.exec((await progressText()) ?? '')?.[1] ?? 0);
    await page.goto(served.url);
    await page.click('[data-nav="runs"]');
    await floodRow.waitFor();
    // Well into the run (over a thousand epoch events), the row still reads and still moves.
    await expect.poll(epochOf, { timeout: 240_000, interval: 1000 }).toBeGreaterThan(1000);
    const seen = await epochOf();
    await expect.poll(epochOf, { timeout: 30_000, interval: 500 }).toBeGreaterThan(seen);
    await floodRow.locator('[data-test="run-cancel"]').click();
    await expect
      .poll(() => floodRow.locator('[data-test="run-state"]').textContent(), { timeout: 120_000 })
      .toBe('cancelled');
    expect(problems).toEqual([]);
  });
});
