import type { Locator, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { loadDemoFlows } from '../../src/server/demo/demo-flows.ts';
import { displayName } from './indicators-steps.ts';
import { screenshot, signInAndWait, useBrowser, waitForNetworkIdle } from './support.ts';

/**
 * The dashboards in a real browser, on the demo data with its July–October 2026 flows loaded (as `npm start`
 * has them) and the server's clock at 29 November 2026: MIIT opens the national view, the map of China is
 * drawn and coloured, a click on Inner Mongolia drills down to its prefectures and on to Baotou's counties;
 * the published indicator history is charted. A Baotou official sees Baotou only.
 */

const NOW = new Date('2026-11-29T10:00:00+08:00');

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
  const { visit } = useBrowser({ load: loadDemoFlows, clock: () => NOW });

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
