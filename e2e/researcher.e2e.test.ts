/**
 * The walk (issue 18): a researcher's path through the served UI in Chromium, on the real RAVDESS
 * subset, as one test file with no console errors: add the corpus (categorical speaker axis, the
 * audio player beside the list, keyboard), design a leave-one-speaker-out experiment, run it
 * (frozen YAMNet, few epochs), cancel it, resume it, read the results (searchable run picker, one
 * unit, the citation once, a visible player for a t-SNE point), export figures, check Settings.
 * Screenshots of every view go to e2e-artifacts/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { sharedDir } from '../src/engine/util/paths';
import { parseConfig } from '../src/engine/config/schema';
import { artifactsDir, launchChromium, pngSize, startServe, svgSize, type Served } from './support';

// Real path: the server resolves symlinks before it shows or checks a folder.
const ravdess = fs.realpathSync(path.join(sharedDir(), 'data', 'ravdess'));
let served: Served;
let browser: Browser;
let page: Page;
const problems: string[] = [];

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(artifactsDir, `${name}.png`), fullPage: true });
}

beforeAll(async () => {
  fs.mkdirSync(artifactsDir, { recursive: true });
  served = await startServe();
  browser = await launchChromium();
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1400, height: 900 } });
  page = await context.newPage();
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
  });
});

afterAll(async () => {
  await browser?.close();
  await served?.stop();
});

describe('researcher path (served mode, Chromium)', () => {
  it('opens with the token and drops it from the address bar', async () => {
    await page.goto(served.url);
    await page.waitForSelector('[data-view="datasets"]');
    expect(page.url()).not.toContain('token=');
  });

  it('adds the RAVDESS folder and sees 4 speakers and 64 files', async () => {
    // The browser's folder picker walks the data folder given to `serve --data-dir`.
    await page.click('[data-test="dataset-browse"]');
    await page.click('[data-test="folder-browser"] a >> text=/data$/');
    await page.click('[data-folder="ravdess"]');
    await page.click('[data-test="folder-use"]');
    expect(await page.inputValue('[data-test="dataset-dir"]')).toBe(ravdess);
    await page.click('[data-test="dataset-add"]');
    await page.waitForSelector('[data-test="dataset-summary"]', { timeout: 120_000 });
    expect(await page.textContent('[data-test="dataset-files"]')).toBe('64');
    expect(await page.textContent('[data-test="dataset-speakers"]')).toBe('4');
    expect(await page.textContent('[data-test="dataset-layout"]')).toBe('ravdess');
    // Table I in full: speakers, male:female, duration mean ± sd, files, rates, skipped.
    const t1 = (cell: string) => page.textContent(`[data-test="table-one-summary"] [data-test="t1-${cell}"]`);
    expect((await t1('speakers'))?.trim()).toBe('4');
    expect((await t1('sex'))?.trim()).toBe('2:2');
    expect((await t1('files'))?.trim()).toBe('64');
    expect((await t1('skipped'))?.trim()).toBe('0');
    expect(await t1('duration')).toMatch(/^\s*\d+\.\d\d ± \d+\.\d\d\s*$/);
    expect(await t1('rates')).toMatch(/\d+ Hz/);
    expect(await page.locator('[data-test="file-list"] tbody tr').count()).toBe(64);
    await page.selectOption('[data-test="filter-speaker"]', '02');
    expect(await page.locator('[data-test="file-list"] tbody tr').count()).toBe(16);
    await page.locator('[data-test="file-list"] tbody tr').first().click();
    await page.waitForSelector('[data-test="audio-panel"] [data-test="figure-logmel"] .main-svg', {
      timeout: 60_000,
    });
    await page.waitForSelector('[data-test="audio-panel"] [data-test="figure-waveform"] .main-svg');
    const src = await page.getAttribute('[data-test="audio-player"]', 'src');
    expect(src).toContain('/file?path=');
    // The audio URL works for the page (cookie) and serves real WAV bytes.
    const wav = await page.evaluate(async (u) => {
      const r = await fetch(u!);
      const b = new Uint8Array(await r.arrayBuffer());
      return { status: r.status, head: String.fromCharCode(...b.slice(0, 4)) };
    }, src);
    expect(wav).toEqual({ status: 200, head: 'RIFF' });
    await shot('01-datasets');
  });

  it('reads speakers on a categorical axis and plays files from the keyboard beside the list', async () => {
    // Speakers are names, not numbers: one tick per speaker, as written.
    const ticks = await page
      .locator('[data-test="figure-speaker-distribution"] .xaxislayer-above .xtick text')
      .allTextContents();
    expect(ticks).toEqual(['01', '02', '03', '04']);
    // The audio panel is beside the list, its top level with the list's top (not below 64 rows).
    const list = (await page.locator('[data-test="file-list-keys"]').boundingBox())!;
    const panel = (await page.locator('[data-test="audio-panel"]').boundingBox())!;
    expect(panel.x).toBeGreaterThanOrEqual(list.x + list.width);
    expect(panel.y).toBeLessThan(list.y + 40);
    // ↓ moves to the next file shown, space plays, the player shows the position, Stop rewinds.
    const rows = page.locator('[data-test="file-list"] tbody tr');
    expect(await rows.nth(0).getAttribute('class')).toContain('selected');
    await page.locator('[data-test="file-list-keys"]').focus();
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => rows.nth(1).getAttribute('class')).toContain('selected');
    const second = await rows.nth(1).locator('td').first().textContent();
    await page.waitForSelector('[data-test="audio-panel"] [data-test="audio-player-card"]', {
      timeout: 60_000,
    });
    expect(await page.textContent('[data-test="audio-panel"] [data-test="audio-player-card"] .title')).toBe(
      second,
    );
    await page.keyboard.press('ArrowUp');
    await expect.poll(() => rows.nth(0).getAttribute('class')).toContain('selected');
    await page.waitForSelector('[data-test="audio-panel"] [data-test="audio-player-card"]', {
      timeout: 60_000,
    });
    await page.locator('[data-test="file-list-keys"]').focus();
    await page.keyboard.press(' ');
    const card = page.locator('[data-test="audio-panel"] [data-test="audio-player-card"]');
    await expect.poll(() => card.getAttribute('data-playing'), { timeout: 20_000 }).toBe('true');
    await expect
      .poll(async () => Number(await card.locator('[data-test="ap-position"]').getAttribute('data-value')))
      .toBeGreaterThan(0.1);
    await card.locator('[data-test="ap-stop"]').click();
    // Vue renders the stopped state on its next tick, after the click has returned.
    await expect.poll(() => card.getAttribute('data-playing')).toBe('false');
    await expect
      .poll(async () => Number(await card.locator('[data-test="ap-position"]').getAttribute('data-value')))
      .toBe(0);
    await shot('01b-datasets-player');
  });

  it('designs a leave-one-speaker-out experiment and sees its folds', async () => {
    await page.click('[data-nav="experiment"]');
    await page.waitForSelector('[data-test="cfg-epochs"]');
    expect(await page.inputValue('[data-test="cfg-epochs"]')).toBe('50');
    expect(await page.inputValue('[data-test="cfg-batch"]')).toBe('24');
    expect(await page.inputValue('[data-test="cfg-data-dir"]')).toBe(ravdess);
    // Inline validation from the engine's schema.
    await page.fill('[data-test="cfg-epochs"]', '0');
    await page.waitForSelector('[data-test="field-issue"]');
    expect(await page.isDisabled('[data-test="run-start"]')).toBe(true);
    await page.fill('[data-test="cfg-epochs"]', '10');
    await page.fill('[data-test="cfg-name"]', 'e2e-loso');
    await page.selectOption('[data-test="cfg-train-from"]', 'frozen');
    await page.waitForSelector('[data-test="field-issue"]', { state: 'detached' });
    await page.click('[data-test="folds-preview"]');
    await page.waitForSelector('[data-test="fold-matrix"]', { timeout: 60_000 });
    expect(await page.textContent('[data-test="folds-count"]')).toContain('4 folds');
    expect(await page.locator('[data-test="fold-matrix"] td.cell.test').count()).toBe(4);
    await shot('02-experiment');
    // The saved JSON is the config the CLI runs: the engine's own parser accepts it as designed.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-test="config-save"]'),
    ]);
    const file = path.join(artifactsDir, 'e2e-loso.json');
    await download.saveAs(file);
    const config = parseConfig(JSON.parse(fs.readFileSync(file, 'utf8')));
    expect(config.name).toBe('e2e-loso');
    expect(config.data.dir).toBe(ravdess);
    expect(config.training.epochs).toBe(10);
    expect(config.crossValidation.scheme).toBe('loso');
    expect(config.model.kind === 'yamnet-lstm' && config.model.yamnet.trainFrom).toBe('frozen');
  });

  it('shows YAMNet blocks 1..14 as train-from choices with measured costs and a run estimate', async () => {
    const card = page.locator('[data-test="layer-card"]');
    await card.locator('[data-test="layer-table"]').waitFor({ timeout: 240_000 });
    expect(await card.locator('[data-test="layer-table"] tbody tr').count()).toBe(14);
    expect(await card.locator('[data-test="chosen-block"]').textContent()).toBe('frozen');
    // Choosing a block in the select highlights its row, and clicking a row chooses it.
    await page.selectOption('[data-test="cfg-train-from"]', '13');
    await card.locator('tr[data-block="13"][data-chosen="true"]').waitFor();
    await card.locator('tr[data-block="11"]').click();
    expect(await page.inputValue('[data-test="cfg-train-from"]')).toBe('11');
    await card.locator('tr[data-block="11"][data-chosen="true"]').waitFor();
    // The run as configured from block 11 (2 epochs): per epoch, per fold, total and cache size,
    // calibrated by real training steps on the server's backend; block 11's row fills in too.
    await card.locator('[data-test="estimate-cost"]').click();
    const est = card.locator('[data-test="run-estimate"]');
    await est.waitFor({ timeout: 180_000 });
    for (const f of ['epoch', 'fold', 'total', 'cache-disk']) {
      const v = Number(await est.locator(`[data-test="est-${f}"]`).getAttribute('data-value'));
      expect(v, f).toBeGreaterThan(0);
    }
    const cost = (k: number) =>
      card.locator(`tr[data-block="${k}"] [data-test="layer-cost"]`).getAttribute('data-value');
    expect(Number(await cost(11))).toBeGreaterThan(0);
    // Another block measured on demand from its row.
    await card.locator('tr[data-block="14"] [data-test="layer-cost"] button').click();
    await expect.poll(() => cost(14), { timeout: 180_000 }).toMatch(/^[\d.e-]+$/);
    expect(Number(await cost(14))).toBeGreaterThan(0);
    expect(await cost(12)).toBe('');
    expect(await card.locator('[data-test="layer-backend"]').textContent()).toBeTruthy();
    await page.mouse.move(0, 0);
    await card.screenshot({ path: path.join(artifactsDir, '02b-experiment-layer-table.png') });
    await shot('02c-experiment-estimate');
    // Back to the frozen run this path trains; its own estimate comes before it starts.
    await page.selectOption('[data-test="cfg-train-from"]', 'frozen');
    await card.locator('[data-test="run-estimate"].stale').waitFor();
  });

  it('runs it and watches progress until it is done', async () => {
    await page.click('[data-test="run-start"]');
    // The run's estimate is shown before it starts.
    const confirm = page.locator('[data-test="run-confirm-card"]');
    await confirm.locator('[data-test="run-estimate"]:not(.stale)').waitFor({ timeout: 120_000 });
    expect(await confirm.locator('[data-test="run-estimate"]').textContent()).toContain('frozen on');
    expect(
      Number(await confirm.locator('[data-test="est-total"]').getAttribute('data-value')),
    ).toBeGreaterThan(0);
    expect(await confirm.locator('[data-test="est-fold"]').textContent()).toBeTruthy();
    await confirm.screenshot({ path: path.join(artifactsDir, '02d-run-confirm.png') });
    await confirm.locator('[data-test="run-confirm"]').click();
    await page.waitForSelector('[data-view="runs"] [data-test="runs-table"]');
    const row = page.locator('[data-test="runs-table"] tbody tr').first();
    const state = () => row.locator('[data-test="run-state"]').textContent();
    // Every text the progress line takes, recorded in the page as the DOM changes (a blank that
    // lasts one frame is still seen): once a fold shows, the log and cache-build events between
    // epochs and folds, the cancel and the resume never blank it.
    await page.locator('[data-view="runs"]').evaluate((view) => {
      const seen: string[] = [];
      const take = () => {
        const line = view.querySelector('[data-test="runs-table"] tbody tr [data-test="run-progress"]');
        const text = (line?.textContent ?? '').replace(/\s+/g, ' ').trim();
        if (seen.at(-1) !== text) seen.push(text);
      };
      take();
      new MutationObserver(take).observe(view, { subtree: true, childList: true, characterData: true });
      (window as unknown as { __progress: string[] }).__progress = seen;
    });
    // Cancel once it trains, then resume it: it finishes from where it stopped.
    await expect
      .poll(() => row.locator('[data-test="run-progress"]').textContent(), {
        timeout: 240_000,
        interval: 200,
      })
      .toMatch(/epoch/);
    await shot('03-runs-progress');
    await row.locator('[data-test="run-cancel"]').click();
    // 'cancelling…' shows at once unless the cancel already took effect (runs.e2e checks the state).
    expect(['cancelling…', 'cancelled']).toContain(await state());
    await expect.poll(state, { timeout: 120_000, interval: 200 }).toBe('cancelled');
    await row.locator('[data-test="run-resume"]').click();
    expect(await state()).toBe('resuming…');
    await expect
      .poll(async () => row.locator('[data-test="run-state"]').textContent(), {
        timeout: 540_000,
        interval: 2000,
      })
      .toBe('done');
    expect(await row.locator('[data-test="run-progress"]').textContent()).toContain('fold 4/4');
    const progress = await page.evaluate(() => (window as unknown as { __progress: string[] }).__progress);
    const first = progress.findIndex((t) => t.startsWith('fold '));
    expect(first, progress.join(' | ')).toBeGreaterThanOrEqual(0);
    const shown = progress.slice(first);
    expect(shown.map((t) => t.slice(0, 8))).toEqual(expect.arrayContaining(['fold 1/4', 'fold 4/4']));
    for (const t of shown) expect(t, shown.join(' | ')).toMatch(/^fold [1-4]\/4( · epoch \d+\/10)?$/);
    await page.waitForSelector('[data-test="figure-loss-curves"] .main-svg');
    // The log wraps, and developer lines (tf.memory) show only on request.
    const log = page.locator('[data-test="run-log"]');
    expect(await log.textContent()).not.toMatch(/numTensors/);
    await page.check('[data-test="log-debug"]');
    await expect.poll(() => log.textContent()).toMatch(/numTensors/);
    await page.uncheck('[data-test="log-debug"]');
    await shot('04-runs-done');
  });

  it('opens the results: table, confusion matrix and t-SNE', async () => {
    await page
      .locator('[data-test="runs-table"] tbody tr')
      .first()
      .locator('[data-test="run-results"]')
      .click();
    await page.waitForSelector('[data-view="results"] [data-test="results-table"]', { timeout: 60_000 });
    const rows = await page.locator('[data-test="results-table"] tbody tr td:first-child').allTextContents();
    expect(rows).toEqual(expect.arrayContaining(['pooled', 'mean', '± sd']));
    expect(rows.filter((r) => r.startsWith('fold'))).toHaveLength(4);
    // RAVDESS YAMNet-LSTM has a row in the paper's Table II; a 4-speaker frozen run differs in protocol.
    await page.waitForSelector('[data-test="paper-comparison"] tr.differs');
    await page.waitForSelector('[data-test$="-confusion"] .main-svg .heatmaplayer');
    await page.waitForSelector('[data-test$="-tsne"] .main-svg .scatterlayer .point', { timeout: 120_000 });
    expect(await page.locator('[data-test$="-tsne"] .scatterlayer .point').count()).toBe(64);
    await page.selectOption('[data-test="tsne-colour"]', 'speaker');
    await expect.poll(async () => page.locator('[data-test$="-tsne"] .legend .traces').count()).toBe(4);
    await shot('05-results');
  });

  it('uses one unit per view, cites the paper once, and plays a t-SNE point in a visible player', async () => {
    const pane = page.locator('[data-pane="0"]');
    const mean = () =>
      pane.locator('[data-test="results-table"] tbody tr.summary').first().locator('td').last().textContent();
    const paperCells = () =>
      pane
        .locator('[data-test="paper-comparison"] table')
        .first()
        .locator('tbody td:not(:first-child)')
        .allTextContents();
    const speakerCells = () =>
      pane.locator('[data-test="per-speaker-table"] tbody tr td:nth-child(5)').allTextContents();
    // Percent in every table by default (Table II, the paper comparison with its intervals, per speaker)…
    expect(await mean()).toMatch(/^\d{1,3}\.\d$/);
    for (const c of await paperCells()) expect(c).not.toMatch(/0\.\d{3}/);
    expect(await speakerCells()).not.toHaveLength(0);
    for (const c of await speakerCells()) expect(c).toMatch(/^\d{1,3}\.\d$/);
    // …fractions in both once Settings says so.
    await page.click('[data-nav="settings"]');
    await page.selectOption('[data-test="pref-accuracy-unit"]', 'fraction');
    await page.click('[data-nav="results"]');
    expect(await mean()).toMatch(/^[01]\.\d{3}$/);
    expect(
      (await paperCells()).filter((c) => /\d/.test(c)).every((c) => /^(\[)?[+-]?[01]\.\d{3}/.test(c)),
    ).toBe(true);
    for (const c of await speakerCells()) expect(c).toMatch(/^[01]\.\d{3}$/);
    await page.click('[data-nav="settings"]');
    await page.selectOption('[data-test="pref-accuracy-unit"]', 'percent');
    await page.click('[data-nav="results"]');
    // The paper's citation appears once.
    const source = (await pane.locator('[data-test="paper-source"]').textContent())!.replace(/^Source: /, '');
    const comparison = (await pane.locator('[data-test="paper-comparison"]').textContent())!;
    expect(comparison.split(source).length - 1).toBe(1);

    // A click on a t-SNE point plays it in a visible player with stop, and rings the point.
    // Coming back from Settings redraws the plot; a click that lands while plotly is still drawing is
    // lost (CI saw it once under load), so the click is retried until the player opens.
    const player = pane.locator('[data-test="audio-player-card"]');
    await vi.waitFor(
      async () => {
        await pane.locator('[data-test$="-tsne"] .scatterlayer .point').first().click({ force: true });
        await player.waitFor({ timeout: 3_000 });
      },
      { timeout: 30_000, interval: 500 },
    );
    await expect.poll(() => player.getAttribute('data-playing'), { timeout: 20_000 }).toBe('true');
    await expect
      .poll(() => pane.locator('[data-test$="-tsne"] .legend .traces').allTextContents())
      .toContain('playing');
    await expect
      .poll(async () => Number(await player.locator('[data-test="ap-position"]').getAttribute('data-value')))
      .toBeGreaterThan(0.1);
    await shot('05c-results-player');
    await player.locator('[data-test="ap-stop"]').click();
    await expect.poll(() => player.getAttribute('data-playing')).toBe('false');
    await player.locator('[data-test="ap-close"]').click();
    await expect.poll(() => player.count()).toBe(0);
  });

  it('puts two runs side by side', async () => {
    const id = await page.getAttribute('[data-pane="0"]', 'data-run');
    // The picker lists finished runs with date, corpus, mode and UAR, and filters as one types.
    const option = page.locator(`[data-run-option="${id}"]`);
    expect(await option.locator('td').nth(2).textContent()).toBe('ravdess');
    expect(await option.locator('td').nth(3).textContent()).toBe('frozen');
    expect(await option.locator('[data-test="run-uar"]').textContent()).toMatch(/^\d{1,3}\.\d$/);
    await page.fill('[data-test="results-run-search"]', 'no such run');
    expect(await page.locator('[data-test="results-run-option"]').count()).toBe(0);
    await page.fill('[data-test="results-run-search"]', 'loso frozen');
    expect(await page.locator('[data-test="results-run-option"]').count()).toBe(1);
    await option.click();
    await page.click('[data-test="results-compare"]');
    await page.waitForSelector('[data-pane="1"] [data-test="results-table"]', { timeout: 60_000 });
    expect(await page.locator('[data-test="results-table"]').count()).toBe(2);
    await shot('05b-results-side-by-side');
    await page.locator('[data-pane="1"] [data-test="pane-close"]').click();
    expect(await page.locator('[data-test="results-table"]').count()).toBe(1);
  });

  it('exports the confusion matrix as PNG and SVG at the requested size', async () => {
    const fig = page.locator('[data-test$="-confusion"]');
    await fig.locator('[data-test="export-width"]').fill('640');
    await fig.locator('[data-test="export-height"]').fill('480');
    await fig.locator('[data-test="export-scale"]').fill('1');
    const [png] = await Promise.all([
      page.waitForEvent('download'),
      fig.locator('[data-test="export-png"]').click(),
    ]);
    const pngFile = path.join(artifactsDir, 'confusion.png');
    await png.saveAs(pngFile);
    expect(pngSize(fs.readFileSync(pngFile))).toEqual({ width: 640, height: 480 });

    await fig.locator('[data-test="export-scale"]').fill('2');
    const [png2] = await Promise.all([
      page.waitForEvent('download'),
      fig.locator('[data-test="export-png"]').click(),
    ]);
    const png2File = path.join(artifactsDir, 'confusion@2x.png');
    await png2.saveAs(png2File);
    expect(pngSize(fs.readFileSync(png2File))).toEqual({ width: 1280, height: 960 });

    await fig.locator('[data-test="export-scale"]').fill('1');
    const [svg] = await Promise.all([
      page.waitForEvent('download'),
      fig.locator('[data-test="export-svg"]').click(),
    ]);
    const svgFile = path.join(artifactsDir, 'confusion.svg');
    await svg.saveAs(svgFile);
    expect(svgSize(fs.readFileSync(svgFile, 'utf8'))).toEqual({ width: 640, height: 480 });
    // The exported figure names the YAMNet weights it came from (issue 8).
    expect(fs.readFileSync(svgFile, 'utf8')).toMatch(/YAMNet weights: (reconstructed|official-tfhub|user)/);

    const [csv] = await Promise.all([page.waitForEvent('download'), page.click('[data-test="export-csv"]')]);
    const csvFile = path.join(artifactsDir, 'table.csv');
    await csv.saveAs(csvFile);
    expect(fs.readFileSync(csvFile, 'utf8')).toMatch(/angry/);

    const [html] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-test="export-html"]'),
    ]);
    const htmlFile = path.join(artifactsDir, 'report.html');
    await html.saveAs(htmlFile);
    const report = fs.readFileSync(htmlFile, 'utf8');
    expect(report).toContain('<svg');
    expect(report).not.toMatch(/<script[^>]+src=|<link[^>]+href="http/);
  });

  it('shows settings: backend, weights and licences', async () => {
    await page.click('[data-nav="settings"]');
    await page.waitForSelector('[data-test="backend-active"]', { timeout: 60_000 });
    // Each weights file with its sha256; wasm's fine-tuning answer is the engine's one truth.
    const sha = await page.locator('[data-test="weights-sha256"]').allTextContents();
    expect(sha.length).toBeGreaterThan(1);
    for (const h of sha) expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(await page.locator('[data-test="weights-files"] [data-file="model.json"]').count()).toBe(1);
    expect(
      await page.getAttribute('[data-backend="wasm"] [data-test="backend-finetune"]', 'data-fine-tune'),
    ).toBe('true');
    // The layer table's calibrations timed steps on the active backend; Settings shows what they measured.
    const measured = await page.locator('[data-test="backend-measured"]').allTextContents();
    expect(measured.some((m) => /frozen \d+(\.\d+)? s\/step of \d+/.test(m))).toBe(true);
    const licences = await page.textContent('[data-test="licences"]');
    expect(licences).toContain('Apache-2.0');
    expect(licences).toContain('CC BY-SA 4.0');
    await shot('06-settings');
  });

  it('logged no page errors', () => {
    expect(problems).toEqual([]);
  });
});
