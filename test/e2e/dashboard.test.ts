import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { buildApp, type App } from '../../src/server/app.ts';
import { loadConfig } from '../../src/server/config.ts';
import { openDatabase, type DatabaseHandle } from '../../src/server/db/database.ts';
import { migrate } from '../../src/server/db/migrate.ts';
import { loadDemoFlows } from '../../src/server/demo/demo-flows.ts';
import { loadDemoData } from '../../src/server/demo/demo.ts';
import { displayName } from './indicators-steps.ts';
import {
  newVisitor,
  screenshot,
  SCREENSHOT_DIRECTORY,
  signInAndWait,
  waitForNetworkIdle,
  type Harness,
  type Visitor,
} from './support.ts';

/**
 * The dashboards in a real browser, on the demo data with its July–October 2026 flows loaded (as `npm start`
 * has them) and the server's clock at 29 November 2026: MIIT opens the national view, the map of China is
 * drawn and coloured, a click on Inner Mongolia drills down to its prefectures and on to Baotou's counties;
 * the published indicator history is charted. A Baotou official sees Baotou only.
 */

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
const NOW = new Date('2026-11-29T10:00:00+08:00');

/** The shared harness, plus the demo flows and a fixed clock (the dashboards need a ledger and production). */
async function startDashboardHarness(): Promise<Harness> {
  const webRoot = await mkdtemp(join(tmpdir(), 'monazite-e2e-dashboard-'));
  let database: DatabaseHandle | undefined;
  let app: App | undefined;
  let browser: Browser | undefined;
  try {
    await build({
      configFile: join(repositoryRoot, 'vite.config.ts'),
      logLevel: 'warn',
      build: { outDir: webRoot, emptyOutDir: true },
    });
    database = await openDatabase({ pgliteDataDir: 'memory://' });
    await migrate(database.db);
    await loadDemoData(database.db);
    await loadDemoFlows(database);
    const config = loadConfig({ LOG_LEVEL: 'silent', PORT: '0' });
    app = await buildApp({ config, database, webRoot, clock: () => NOW });
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    });
    await mkdir(SCREENSHOT_DIRECTORY, { recursive: true });
    const opened = { app, database, browser };
    return {
      baseUrl: address,
      browser,
      async close() {
        await opened.browser.close();
        await opened.app.close();
        await opened.database.close();
        await rm(webRoot, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await browser?.close();
    await app?.close();
    await database?.close();
    await rm(webRoot, { recursive: true, force: true });
    throw error;
  }
}

/** How many pixels of a chart's canvas are drawn (neither transparent nor white). */
async function drawnPixels(chart: Locator): Promise<number> {
  return chart
    .locator('canvas')
    .first()
    .evaluate((element) => {
      const canvas = element as HTMLCanvasElement;
      const context = canvas.getContext('2d');
      if (!context) return 0;
      const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
      let drawn = 0;
      for (let index = 0; index < data.length; index += 4) {
        const [r = 0, g = 0, b = 0, a = 0] = data.slice(index, index + 4);
        if (a > 0 && (r < 245 || g < 245 || b < 245)) drawn += 1;
      }
      return drawn;
    });
}

/** Moves over the map until its tooltip names `province`; returns that point. */
async function findOnMap(page: Page, province: string): Promise<{ x: number; y: number }> {
  const map = page.getByTestId('china-map');
  const box = await map.boundingBox();
  if (!box) throw new Error('the map has no box');
  const tooltip = page.locator('.china-map-tooltip');
  for (let row = 1; row < 14; row += 1) {
    for (let column = 1; column < 20; column += 1) {
      const point = { x: box.x + (box.width * column) / 20, y: box.y + (box.height * row) / 14 };
      await page.mouse.move(point.x, point.y);
      await page.waitForTimeout(30);
      if ((await tooltip.count()) > 0 && (await tooltip.first().isVisible())) {
        if ((await tooltip.first().textContent())?.includes(province)) return point;
      }
    }
  }
  throw new Error(`${province} was not found on the map`);
}

describe.sequential('the dashboards in the web app', () => {
  let harness: Harness | undefined;
  let visitor: Visitor | undefined;

  beforeAll(async () => {
    harness = await startDashboardHarness();
  }, 240_000);
  afterAll(async () => {
    await harness?.close();
  });
  afterEach(async (context) => {
    const errors = visitor?.pageErrors ?? [];
    if (visitor && context.task.result?.state === 'fail') {
      const name = context.task.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
      await visitor.page
        .screenshot({ path: join(SCREENSHOT_DIRECTORY, `failed-${name}.png`), fullPage: true })
        .catch(() => undefined);
    }
    await visitor?.context.close();
    visitor = undefined;
    expect(errors.map((error) => error.message)).toEqual([]);
  });
  async function visit(): Promise<Visitor> {
    if (!harness) throw new Error('the browser harness did not start');
    visitor = await newVisitor(harness);
    return visitor;
  }

  test('MIIT sees the nation on a map, drills into Inner Mongolia and Baotou, and the published history', async () => {
    const { page } = await visit();
    await signInAndWait(page, 'miit', displayName('miit'));
    await page.goto('/dashboard?year=2026');
    await page.getByTestId('dashboard-totals').waitFor();
    const map = page.getByTestId('china-map');
    await map.locator('canvas').waitFor();
    await waitForNetworkIdle(page);
    await expect.poll(() => drawnPixels(map), { timeout: 15_000 }).toBeGreaterThan(20_000);
    await page.getByTestId('map-note').getByText('示意图，非标准地图').waitFor();
    const history = page.getByTestId('dashboard-history');
    await history.locator('canvas').waitFor();
    await expect.poll(() => drawnPixels(history), { timeout: 15_000 }).toBeGreaterThan(2_000);
    await history.getByText(/MIIT\/MNR/).waitFor();
    expect(await page.getByTestId('dashboard-areas').locator('.ant-table-row').count()).toBe(4);
    await page.getByTestId('dashboard-anomalies').getByText('超出总量控制指标').waitFor();
    await page.getByTestId('dashboard-overdue').waitFor();
    const listed = page.getByTestId('dashboard-enterprises').locator('.ant-table-row');
    expect(await listed.filter({ hasText: '包头白云鄂博巴彦稀土矿业有限公司' }).count()).toBe(1);
    await screenshot(page, 'dashboard-national-zh');

    // A click on Inner Mongolia on the map opens it: its prefectures, its enterprises only.
    const point = await findOnMap(page, '内蒙古自治区');
    await page.mouse.click(point.x, point.y);
    await page.waitForURL(/division=150000/);
    await page.getByTestId('dashboard-path').getByText('内蒙古自治区').waitFor();
    const areas = page.getByTestId('dashboard-areas');
    await areas.getByRole('button', { name: '包头市' }).waitFor();
    const enterprises = page.getByTestId('dashboard-enterprises').locator('.ant-table-row');
    await expect.poll(() => enterprises.count()).toBe(3);
    await screenshot(page, 'dashboard-province-zh');

    // And on, from the table, into Baotou's counties; the path leads back to the nation.
    await areas.getByRole('button', { name: '包头市' }).click();
    await page.waitForURL(/division=150200/);
    await page.getByTestId('dashboard-path').getByText('包头市').waitFor();
    await page.getByTestId('dashboard-areas').getByRole('button', { name: '昆都仑区' }).waitFor();
    await screenshot(page, 'dashboard-prefecture-zh');
    await page.getByTestId('dashboard-path').getByText('全国').click();
    await page.waitForURL((url) => !url.search.includes('division='));
    await expect.poll(() => page.getByTestId('dashboard-areas').locator('.ant-table-row').count()).toBe(4);
  });

  test('a Baotou official sees Baotou only, with the map still drawn', async () => {
    const { page } = await visit();
    await signInAndWait(page, 'baotou.iit', displayName('baotou.iit'));
    await page.goto('/dashboard?year=2026');
    await page.getByTestId('dashboard-path').getByText('包头市').waitFor();
    const map = page.getByTestId('china-map');
    await map.locator('canvas').waitFor();
    await expect.poll(() => drawnPixels(map), { timeout: 15_000 }).toBeGreaterThan(20_000);
    const names = await page
      .getByTestId('dashboard-enterprises')
      .locator('.ant-table-row td:first-child')
      .allTextContents();
    expect(names.length).toBe(3);
    expect(names.every((name) => name.startsWith('包头'))).toBe(true);
    await screenshot(page, 'dashboard-baotou-zh');
  });
});
