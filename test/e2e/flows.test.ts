import { request, type Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { demoEnterprises } from '../../src/server/demo/demo-data.ts';
import { displayName } from './indicators-steps.ts';
import { apiSignIn, originOf, openMenu, screenshot, signInAndWait, tableRows, useBrowser } from './support.ts';

/**
 * Art. 10 in the web app: a mine records October's flows by form and by file, declares the month late; the
 * separation plant it ships to traces its oxide back to the mine and issues a provenance certificate that
 * anyone can check signed out; MIIT follows the declarations board and works an anomaly. The tests build on
 * each other, in order. Event times are in October 2026 (the past, with the clock at late November 2026).
 */

function creditCode(key: string): string {
  const found = demoEnterprises.find((item) => item.key === key);
  if (!found) throw new Error(`demo data has no enterprise "${key}"`);
  return found.credit_code;
}
const bayan = creditCode('bayan');
const kundulun = creditCode('kundulun');

/** Picks an option of the antd Select whose input has the given id, typing first to search when asked. */
async function choose(page: Page, inputId: string, optionText: string, typed?: string): Promise<void> {
  const input = page.locator(`#${inputId}`);
  await input.click();
  if (typed) await input.fill(typed);
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: optionText }).first().click();
  if (await page.locator('.ant-select-dropdown:visible').count()) await page.keyboard.press('Tab');
  await page.locator('.ant-select-dropdown:visible').waitFor({ state: 'hidden' });
}

/** The error antd shows under the form field with this id. */
function fieldError(page: Page, inputId: string) {
  return page.locator('.ant-form-item', { has: page.locator(`#${inputId}`) }).locator('.ant-form-item-explain-error');
}

/** The API as another user, in a cookie jar of its own (the browser stays signed in as it is). */
async function apiAs(page: Page, login: string) {
  const context = await request.newContext({ baseURL: originOf(page) });
  const { csrf_token: csrfToken } = await apiSignIn(context, originOf(page), login);
  return {
    async post(path: string, data: unknown) {
      const response = await context.post(`/api/v1${path}`, { data, headers: { 'x-csrf-token': csrfToken } });
      expect(response.ok(), await response.text()).toBe(true);
      return (await response.json()) as unknown;
    },
    dispose: () => context.dispose(),
  };
}

const csv = (rows: readonly string[][]) => Buffer.from(`\uFEFF${rows.map((row) => row.join(',')).join('\r\n')}\r\n`);
const header = [
  '事件编号',
  '类型',
  '事件时间',
  '批次号',
  '产品代码',
  '质量(kg)',
  '品位(ppm)',
  '交易对方信用代码',
  '运单号',
];

describe.sequential('flow records, declarations and traceability in the web app', () => {
  const { visit } = useBrowser();
  let certificateCode = '';

  test('a mine records a produce event through the form; a missing grade is shown beside its field', async () => {
    const { page } = await visit();
    await signInAndWait(page, 'ent.bayan', displayName('ent.bayan'));
    await openMenu(page, '流向记录');
    await page.getByRole('button', { name: '记录流向事件' }).click();
    const drawer = page.locator('.ant-drawer');
    await drawer.locator('#event_id').fill('BY-WEB-P-1');
    await drawer.locator('#event_time').fill('2026-10-05T09:00');
    await drawer.locator('#batch').fill('BY-WEB-01');
    await choose(page, 'product', '氟碳铈矿精矿', 'BASTNAESITE');
    await drawer.locator('#mass_kg').fill('20000');
    // Bastnaesite concentrate converts by assay: without a grade the server cannot compute the REO.
    await page.getByTestId('flow-submit').click();
    await fieldError(page, 'grade_percent')
      .getByText(/is required/)
      .waitFor();
    await drawer.getByTestId('problem').waitFor();
    await screenshot(page, 'flows-form-error-zh');

    await drawer.locator('#grade_percent').fill('50');
    await page.getByTestId('flow-submit').click();
    // The list moves to the event's month and shows the REO the server computed: 20,000 kg at 50%.
    await page.waitForURL(/period=2026-10/);
    const row = tableRows(page).filter({ hasText: 'BY-WEB-01' });
    await row.getByText('10,000', { exact: true }).waitFor();
    await row.getByText('生产').waitFor();
    await screenshot(page, 'flows-list-zh');
  });

  test('the mine uploads a CSV of events; a bad file lists every refused row', async () => {
    const { page } = await visit();
    await signInAndWait(page, 'ent.bayan', displayName('ent.bayan'));
    await openMenu(page, '文件上传');
    const good = csv([
      header,
      ['BY-CSV-P-2', '生产', '2026-10-06 08:30', 'BY-CSV-02', 'BASTNAESITE_CONC', '10000', '480000', '', ''],
      ['BY-CSV-S-1', '发货', '2026-10-07 09:00', 'BY-WEB-01', 'BASTNAESITE_CONC', '20000', '500000', kundulun, 'WB-01'],
      ['BY-CSV-S-2', '发货', '2026-10-07 10:00', 'BY-CSV-02', 'BASTNAESITE_CONC', '10000', '480000', kundulun, 'WB-02'],
    ]);
    const picker = page.locator('input[type="file"]');
    await picker.setInputFiles({ name: 'bayan-2026-10.csv', mimeType: 'text/csv', buffer: good });
    await page.getByRole('button', { name: '上传' }).click();
    const result = page.getByTestId('upload-result');
    await result.waitFor();
    expect(await result.getByTestId('upload-accepted').textContent()).toBe('3');
    expect(await result.getByTestId('upload-received').textContent()).toBe('3');
    await screenshot(page, 'flows-upload-result-zh');

    const bad = csv([
      header,
      ['BY-CSV-P-3', '生产', '2026-10-08 08:30', 'BY-CSV-03', 'BASTNAESITE_CONC', '五十万', '480000', '', ''],
      ['BY-CSV-P-4', '生产', '2026-10-08 09:30', 'BY-CSV-04', 'NO_SUCH_PRODUCT', '1000', '480000', '', ''],
    ]);
    await picker.setInputFiles({ name: 'bayan-bad.csv', mimeType: 'text/csv', buffer: bad });
    await page.getByRole('button', { name: '上传' }).click();
    const refused = page.getByTestId('upload-refused');
    await refused.waitFor();
    const errors = refused.locator('.ant-table-tbody > tr.ant-table-row');
    await errors.filter({ hasText: 'BY-CSV-P-3' }).waitFor();
    await errors.filter({ hasText: 'BY-CSV-P-4' }).waitFor();
    expect(await errors.filter({ hasText: 'BY-CSV-P-3' }).locator('td').first().textContent()).toBe('2');
    await screenshot(page, 'flows-upload-errors-zh');
  });

  test('the mine declares October after the deadline and sees the seal', async () => {
    const { page } = await visit();
    await signInAndWait(page, 'ent.bayan', displayName('ent.bayan'));
    await openMenu(page, '月度申报');
    await page.getByTestId('countdown').waitFor();
    // Its own row, not September's (whose deadline reads 2026-10-10).
    const october = tableRows(page).filter({ has: page.locator('td:first-child', { hasText: /^2026-10$/ }) });
    await october.getByText('未申报').waitFor();
    await page.getByTestId('seal-2026-10').click();
    await page
      .locator('.ant-popconfirm')
      .getByRole('button', { name: /申\s*报/ })
      .click();
    const sm3 = page.getByTestId('sealed-sm3');
    await sm3.waitFor();
    expect(await sm3.textContent()).toMatch(/^[0-9a-f]{64}$/);
    await page.getByRole('dialog').getByText('已逾期，记为逾期申报').waitFor();
    await screenshot(page, 'declarations-sealed-zh');
    await page
      .getByRole('dialog')
      .getByRole('button', { name: /OK|确\s*定/ })
      .click();
    await october.getByText('逾期申报').waitFor();
    await october.getByTestId('seal-1').waitFor();
    await screenshot(page, 'declarations-zh');
  });

  test('the separation plant traces its oxide back to the mine and issues a certificate', async () => {
    const { page } = await visit();
    await signInAndWait(page, 'ent.kundulun', displayName('ent.kundulun'));
    // The plant's side of October through the API: both lots received, separated, part of the La exported.
    const plant = await apiAs(page, 'ent.kundulun');
    const line = (batch: string, mass: number, grade: number) => ({
      batch,
      batch_maker: bayan,
      product: 'BASTNAESITE_CONC',
      mass_kg: mass,
      grade_ppm: grade,
    });
    await plant.post('/flows', {
      events: [
        {
          event_id: 'KD-R-1',
          kind: 'receive',
          event_time: '2026-10-08T09:00:00+08:00',
          ...line('BY-WEB-01', 20_000, 500_000),
          counterparty: bayan,
        },
        {
          event_id: 'KD-R-2',
          kind: 'receive',
          event_time: '2026-10-08T10:00:00+08:00',
          ...line('BY-CSV-02', 10_000, 480_000),
          counterparty: bayan,
        },
        {
          event_id: 'KD-T-1',
          kind: 'transform',
          event_time: '2026-10-12T09:00:00+08:00',
          inputs: [line('BY-WEB-01', 20_000, 500_000), line('BY-CSV-02', 10_000, 480_000)],
          outputs: [
            { batch: 'KD-WEB-PRND', product: 'PRND_OXIDE', mass_kg: 3_000 },
            { batch: 'KD-WEB-LA', product: 'LA2O3', mass_kg: 11_000 },
          ],
          edges: [
            { from_batch: 'BY-WEB-01', to_batch: 'KD-WEB-PRND', reo_kg: 2_000 },
            { from_batch: 'BY-CSV-02', to_batch: 'KD-WEB-PRND', reo_kg: 1_000 },
            { from_batch: 'BY-WEB-01', to_batch: 'KD-WEB-LA', reo_kg: 7_500 },
            { from_batch: 'BY-CSV-02', to_batch: 'KD-WEB-LA', reo_kg: 3_500 },
          ],
        },
        {
          event_id: 'KD-X-1',
          kind: 'export',
          event_time: '2026-10-20T09:00:00+08:00',
          batch: 'KD-WEB-LA',
          product: 'LA2O3',
          mass_kg: 5_000,
          counterparty_name: 'Example Magnetics GmbH',
          country: 'DE',
        },
      ],
    });
    await plant.post('/declarations', { period: '2026-10' });
    await plant.dispose();

    await openMenu(page, '溯源');
    await page.locator('#trace-code').fill('KD-WEB-PRND');
    await page.getByRole('button', { name: /查\s*询/ }).click();
    await page.getByRole('img', { name: /KD-WEB-PRND 的谱系图：3 个批次，2 条关系/ }).waitFor();
    const origins = page.getByTestId('origins').locator('.ant-table-row');
    await origins.filter({ hasText: 'BY-WEB-01' }).getByText('66.67%').waitFor();
    await origins.filter({ hasText: 'BY-CSV-02' }).getByText('33.33%').waitFor();
    await origins.filter({ hasText: 'BY-WEB-01' }).getByText('2,000', { exact: true }).waitFor();
    await screenshot(page, 'trace-back-zh');

    await page.getByRole('button', { name: '出具溯源证明' }).click();
    await page.waitForURL(/\/certificates\//);
    const certificate = page.getByTestId('certificate');
    await certificate.getByText('稀土产品溯源证明').waitFor();
    await page.getByTestId('certificate-qr').waitFor();
    expect(await page.getByTestId('certificate-qr').getAttribute('src')).toMatch(/^data:image\/svg\+xml/);
    await certificate.getByText('3,000 kg REO').waitFor();
    certificateCode = (await page.getByTestId('certificate-code').textContent()) ?? '';
    expect(certificateCode).toMatch(/^[0-9A-F]{5}(-[0-9A-F]{5}){3}$/);
    await screenshot(page, 'certificate-zh');

    // Forward from the lanthanum batch: the export to Germany.
    await page.goto('/trace?code=KD-WEB-LA&tab=forward');
    const movements = page.getByTestId('movements').locator('.ant-table-row');
    await movements.filter({ hasText: 'DE' }).getByText('出口').waitFor();
    await screenshot(page, 'trace-forward-zh');
  });

  test('anyone can check the certificate signed out', async () => {
    const { page } = await visit();
    expect(certificateCode).not.toBe('');
    await page.goto(`/verify/${certificateCode}`);
    // Both makers have declared October, and nothing changed since: the check passes.
    await page.getByTestId('verify-status').getByText('验证通过').waitFor();
    await page.getByTestId('certificate').getByText('BY-WEB-01').waitFor();
    expect(page.url()).toContain('/verify/');
    await expect.poll(() => page.getByTestId('user-name').count()).toBe(0);
    await screenshot(page, 'verify-signed-out-zh');
  });

  test('MIIT follows the declaration board, a batch forward, and works an anomaly', async () => {
    const { page } = await visit();
    await signInAndWait(page, 'miit', displayName('miit'));
    await openMenu(page, '申报看板');
    await page.locator('#board-period').fill('2026-10');
    const board = tableRows(page);
    await board.filter({ hasText: '包头白云鄂博巴彦稀土矿业有限公司' }).getByText('逾期申报').waitFor();
    await board.filter({ hasText: '包头昆都仑稀土冶炼分离有限公司' }).getByText('逾期申报').waitFor();
    await screenshot(page, 'declaration-board-zh');

    await page.goto(`/trace?code=BY-WEB-01&maker=${bayan}&tab=forward`);
    await page.getByRole('img', { name: /BY-WEB-01 的谱系图：3 个批次，2 条关系/ }).waitFor();
    await page.getByTestId('movements').locator('.ant-table-row').filter({ hasText: '收货' }).first().waitFor();
    await screenshot(page, 'trace-forward-official-zh');

    await openMenu(page, '异常');
    await page.getByRole('button', { name: '运行核查' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.locator('#checks-period').fill('2026-10');
    await dialog.getByRole('button', { name: '运行核查' }).click();
    await dialog
      .getByText(/2026-10 核查完成/)
      .first()
      .waitFor();
    await dialog.getByRole('button', { name: /取\s*消/ }).click();

    await page.locator('#anomalies-period').fill('2026-10');
    await choose(page, 'anomalies-rule', '未申报');
    const anomaly = tableRows(page).first();
    await anomaly.getByText('待处理').waitFor();
    await screenshot(page, 'anomalies-zh');
    await anomaly.getByRole('button', { name: /查\s*看/ }).click();
    const drawer = page.locator('.ant-drawer');
    await drawer.getByText('尚无处理记录').waitFor();
    await choose(page, 'anomaly-status', '已说明');
    await drawer.locator('#anomaly-note').fill('企业已说明：十月停产检修，无流向。');
    await drawer.getByRole('button', { name: '变更状态' }).click();
    await drawer.getByText('企业已说明：十月停产检修，无流向。').waitFor();
    await drawer.getByTestId('anomaly-status').filter({ hasText: '已说明' }).first().waitFor();
    await screenshot(page, 'anomaly-explained-zh');
  });
});
