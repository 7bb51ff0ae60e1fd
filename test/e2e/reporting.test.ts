import { request, type Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import type { BoardView, CompilationView, ReportDraft, ReportView } from '../../src/contracts/reporting.ts';
import { demoEnterprises } from '../../src/server/demo/demo-data.ts';
import { messages, type MessageKey } from '../../src/web/shared/messages.ts';
import { displayName } from './indicators-steps.ts';
import { apiSignIn, originOf, openMenu, screenshot, signInAndWait, useBrowser } from './support.ts';

/**
 * Art. 9 in the web app: a mine reports a month it has not reported yet (a changed figure needs an
 * explanation first), MIIT drills down the status board from the nation to the county and the report, and
 * sends reminders; the county returns the report and the mine corrects it; a prefecture compiles with reasons
 * for its missing counties and forwards, and the province returns that compilation. The tests build on each
 * other, in order. The month is picked through the API (one nobody has reported, with or without demo reports).
 */

function enterprise(key: string) {
  const found = demoEnterprises.find((item) => item.key === key);
  if (!found) throw new Error(`demo data has no enterprise "${key}"`);
  return found;
}
const longnan = enterprise('longnan');

/** A string of the web app in Chinese, as the pages show it. */
function zh(key: MessageKey): string {
  return messages[key][0];
}

/** The API as another user, in a cookie jar of its own (the browser stays signed in as it is). */
async function apiAs(page: Page, login: string) {
  const context = await request.newContext({ baseURL: originOf(page) });
  const me = await apiSignIn(context, originOf(page), login);
  return {
    enterpriseId: me.enterprise_id,
    async get<T>(path: string): Promise<T> {
      const response = await context.get(`/api/v1${path}`);
      expect(response.ok(), await response.text()).toBe(true);
      return (await response.json()) as T;
    },
    async post<T>(path: string, data: unknown): Promise<T> {
      const response = await context.post(`/api/v1${path}`, { data, headers: { 'x-csrf-token': me.csrf_token } });
      expect(response.ok(), await response.text()).toBe(true);
      return (await response.json()) as T;
    },
    dispose: () => context.dispose(),
  };
}

/** The rows of the table with this test id (antd's hidden measure row left out). */
function rowsOf(page: Page, testId: string) {
  return page.getByTestId(testId).locator('.ant-table-tbody > tr.ant-table-row');
}

/** Picks the board's month and waits until the board shows it (the previous month's rows are gone by then). */
async function boardPeriod(page: Page, period: string): Promise<void> {
  await page.locator('#board-period-month').fill(period);
  await page.getByTestId('board-node').getByText(period, { exact: true }).waitFor();
}

/** Clicks the link named `name` in the board row that holds it, and waits for the breadcrumb to reach it. */
async function drillDown(page: Page, name: string): Promise<void> {
  await rowsOf(page, 'board-children').filter({ hasText: name }).getByRole('link', { name, exact: true }).click();
  await page.getByTestId('division-path').getByText(name, { exact: true }).waitFor();
}

const explanation = '月末盘点补录入库数量，流向记录待更正。';
const returnReason = '本期产量与流向记录差异较大，请附盘点记录后更正重报。';

describe.sequential('implementation reports, compilation and the status board in the web app', () => {
  const { visit } = useBrowser();
  // Picked by the first test: a month of 2026 the mine has not reported.
  let period = '';
  let category = '';
  let reportedKg = 0;

  test('a mine reports a month: a changed figure waits for its explanation; version 1 is signed', async () => {
    const { page } = await visit();
    await signInAndWait(page, 'ent.longnan', displayName('ent.longnan'));
    const mine = await apiAs(page, 'ent.longnan');
    const enterpriseId = mine.enterpriseId ?? '';
    const reports = await mine.get<ReportView[]>(`/reports?enterprise_id=${enterpriseId}&year=2026`);
    // Demo reports (when loaded) cover July to October: look before them, latest month first.
    period = ['2026-06', '2026-05', '2026-04', '2026-03', '2026-02', '2026-01'].find(
      (month) => !reports.some((report) => report.period === month),
    )!;
    expect(period).toBeTruthy();
    const draftPath = `/reports/draft?enterprise_id=${enterpriseId}&period=${period}`;
    let draft = await mine.get<ReportDraft>(draftPath);
    if (draft.lines.length === 0) {
      // No indicator held and nothing produced (a database without demo flows): record the month's production.
      await mine.post('/flows', {
        events: [
          {
            event_id: `E2E-RPT-${period}`,
            kind: 'produce',
            event_time: `${period}-10T09:00:00+08:00`,
            batch: `E2E-RPT-${period}`,
            product: 'ION_CARBONATE',
            mass_kg: 10_000,
            grade_ppm: 460_000,
          },
        ],
      });
      draft = await mine.get<ReportDraft>(draftPath);
    }
    await mine.dispose();
    const line = draft.lines[0]!;
    category = zh(`category.${line.category}` as MessageKey);
    reportedKg = line.flow_reo_kg + 1_000;

    await openMenu(page, '执行情况报告');
    await page.locator('#report-period-month').fill(period);
    await page.waitForURL(new RegExp(`period=${period}`));
    const row = rowsOf(page, 'report-draft').filter({ hasText: category });
    await row.getByLabel(`${category} 本期产量`).waitFor();
    await page
      .getByTestId('countdown')
      .getByText(/已逾期/)
      .waitFor();
    await screenshot(page, 'reporting-draft-zh');

    await row.getByLabel(`${category} 本期产量`).fill(String(reportedKg));
    await page.getByTestId('report-submit').click();
    // Stopped in the browser: the explanation is required, and nothing asks to sign yet.
    await row
      .locator('.ant-form-item-explain-error')
      .getByText(/不一致，请说明原因/)
      .waitFor();
    expect(await page.locator('.ant-modal-confirm').count()).toBe(0);
    await screenshot(page, 'reporting-explanation-required-zh');

    await row.getByLabel(`${category} 差异说明`).fill(explanation);
    await page.getByTestId('report-submit').click();
    await page
      .locator('.ant-modal-confirm')
      .getByRole('button', { name: zh('report.submit') })
      .click();
    const version = page.getByTestId('report-version-1');
    await version.waitFor();
    const digest = (await version.getByTestId('signature-digest').textContent()) ?? '';
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    // The table now shows the signed figures, and the year's overview lists the month.
    await rowsOf(page, 'report-lines').filter({ hasText: category }).getByText(explanation).waitFor();
    await screenshot(page, 'reporting-submitted-zh');

    const check = await apiAs(page, 'ent.longnan');
    const stored = await check.get<ReportView[]>(`/reports?enterprise_id=${enterpriseId}&year=2026`);
    await check.dispose();
    const submitted = stored.find((report) => report.period === period && report.version === 1);
    expect(submitted?.signature.content_sm3).toBe(digest);
    expect(submitted?.lines.find((item) => item.category === line.category)?.production_reo_kg).toBe(reportedKg);
  });

  test('MIIT drills down the board from the nation to the county and the report, and sends reminders', async () => {
    const { page } = await visit();
    expect(period).not.toBe('');
    await signInAndWait(page, 'miit', displayName('miit'));
    const ministry = await apiAs(page, 'miit');
    const county = await ministry.get<BoardView>(
      `/reporting/board?period=${period}&division_code=${longnan.domicile_code}`,
    );
    await ministry.dispose();
    const node = county.children.find((child) => child.name === longnan.name);
    expect(node?.document_id).toBeTruthy();

    await openMenu(page, '报送看板');
    await boardPeriod(page, period);
    await page.getByTestId('board-node').getByText('全国', { exact: true }).first().waitFor();
    await rowsOf(page, 'board-children').filter({ hasText: '江西省' }).waitFor();
    await screenshot(page, 'reporting-board-nation-zh');

    await page.getByTestId('send-reminders').click();
    await page
      .locator('.ant-popconfirm')
      .getByRole('button', { name: /催\s*报/ })
      .click();
    await page.getByText(/已发送 \d+ 条催报提醒/).waitFor();

    await drillDown(page, '江西省');
    await drillDown(page, '赣州市');
    await drillDown(page, '龙南市');
    const row = rowsOf(page, 'board-children').filter({ hasText: longnan.name });
    await row
      .getByTestId('report-status')
      .getByText(zh(`reportStatus.${node!.status}`))
      .waitFor();
    await screenshot(page, 'reporting-board-county-zh');

    await row.getByRole('link', { name: longnan.name, exact: true }).click();
    await page.waitForURL(`**/reports/${node!.document_id}`);
    await page.getByRole('heading', { name: `${longnan.name} · ${period} 执行情况报告` }).waitFor();
    await rowsOf(page, 'report-lines').filter({ hasText: category }).getByText(explanation).waitFor();
    // Returning is for the county of the enterprise's domicile, not the ministry.
    expect(await page.getByRole('button', { name: zh('return.button') }).count()).toBe(0);
    await screenshot(page, 'reporting-report-detail-zh');
  });

  test('the county returns the report with the reason', async () => {
    const { page } = await visit();
    await signInAndWait(page, 'longnan.iit', displayName('longnan.iit'));
    await openMenu(page, '报送看板');
    await boardPeriod(page, period);
    // A county official's board starts at the county.
    await page.getByTestId('division-path').getByText('龙南市', { exact: true }).waitFor();
    await rowsOf(page, 'board-children')
      .filter({ hasText: longnan.name })
      .getByRole('link', { name: longnan.name, exact: true })
      .click();
    await page.waitForURL(/\/reports\/[0-9a-f-]{36}$/);

    await page.getByRole('button', { name: zh('return.button') }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: /^退\s*回$/ }).click();
    await dialog.getByText(zh('return.reasonRequired')).waitFor();
    await dialog.getByLabel(zh('return.reason')).fill(returnReason);
    await screenshot(page, 'reporting-return-modal-zh');
    await dialog.getByRole('button', { name: /^退\s*回$/ }).click();
    await page.getByTestId('returned-banner').getByText(new RegExp(returnReason)).waitFor();
    await expect.poll(() => page.getByRole('button', { name: zh('return.button') }).count()).toBe(0);
    await screenshot(page, 'reporting-returned-official-zh');
  });

  test('the mine sees the returned banner and submits a correction that replaces version 1', async () => {
    const { page } = await visit();
    await signInAndWait(page, 'ent.longnan', displayName('ent.longnan'));
    await openMenu(page, '执行情况报告');
    await page.locator('#report-period-month').fill(period);
    await page.waitForURL(new RegExp(`period=${period}`));
    const banner = page.getByTestId('returned-banner');
    await banner.getByText(new RegExp(returnReason)).waitFor();
    await screenshot(page, 'reporting-returned-zh');

    await banner.getByRole('button', { name: zh('report.correct') }).click();
    // The correction starts from what was reported, explanation included.
    const row = rowsOf(page, 'report-draft').filter({ hasText: category });
    expect(await row.getByLabel(`${category} 本期产量`).inputValue()).toBe(String(reportedKg));
    expect(await row.getByLabel(`${category} 差异说明`).inputValue()).toBe(explanation);
    await page.getByTestId('report-submit').click();
    await page
      .locator('.ant-modal-confirm')
      .getByRole('button', { name: zh('report.submit') })
      .click();
    await page.getByTestId('report-version-2').waitFor();
    const first = page.getByTestId('report-version-1');
    await first.getByText(zh('report.superseded'), { exact: true }).waitFor();
    await first.getByText(zh('reportStatus.returned'), { exact: true }).waitFor();
    await expect.poll(() => page.getByTestId('returned-banner').count()).toBe(0);
    await screenshot(page, 'reporting-corrected-zh');

    const mine = await apiAs(page, 'ent.longnan');
    const stored = await mine.get<ReportView[]>(`/reports?enterprise_id=${mine.enterpriseId ?? ''}&year=2026`);
    await mine.dispose();
    const versions = stored.filter((report) => report.period === period);
    expect(versions.map((report) => report.version).sort()).toEqual([1, 2]);
    expect(versions.find((report) => report.version === 2)?.replaces).toBe(
      versions.find((report) => report.version === 1)?.id,
    );
  });

  test('a mine reminded by MIIT sees the reminder above its report', async () => {
    const { page } = await visit();
    await signInAndWait(page, 'ent.bayan', displayName('ent.bayan'));
    await openMenu(page, '执行情况报告');
    // MIIT reminded everyone overdue for the month in the second test; the bayan mine had not reported it.
    await page.getByTestId('reminders').getByText(`催报提醒：${period} 执行情况报告`).waitFor();
    await screenshot(page, 'reporting-reminder-zh');
  });

  test('a prefecture compiles with reasons for its missing counties and forwards to the province', async () => {
    const { page } = await visit();
    await signInAndWait(page, 'baotou.iit', displayName('baotou.iit'));
    const prefecture = await apiAs(page, 'baotou.iit');
    const query = `division_code=150200&period=${period}`;
    const existing = await prefecture.get<CompilationView[]>(`/compilations?${query}`);
    const draft = await prefecture.get<{ absent: { name: string }[]; returned: unknown[] }>(
      `/compilations/draft?${query}`,
    );
    await prefecture.dispose();
    expect(draft.returned).toEqual([]);

    await openMenu(page, '汇总上报');
    await page.waitForURL('**/compilations/150200/**');
    await page.locator('#compilation-period-month').fill(period);
    await page.waitForURL(`**/compilations/150200/${period}`);
    await page.getByRole('heading', { name: `包头市 · ${period} 汇总上报` }).waitFor();
    if (draft.absent.length > 0) {
      await expect.poll(() => rowsOf(page, 'compilation-absent').count()).toBe(draft.absent.length);
      await page.getByTestId('compile').click();
      const errors = page.getByTestId('compilation-absent').locator('.ant-form-item-explain-error');
      await expect.poll(() => errors.count()).toBe(draft.absent.length);
      for (const child of draft.absent)
        await page.getByLabel(`${child.name} 原因说明`).fill(`${child.name}尚未汇总上报，已电话催报。`);
    }
    await screenshot(page, 'reporting-compilation-draft-zh');
    await page.getByTestId('compile').click();
    const version = page.getByTestId(`compilation-version-${existing.length + 1}`);
    await version.getByTestId('signature-digest').waitFor();

    await page.getByTestId('forward').click();
    await page
      .locator('.ant-popconfirm')
      .getByRole('button', { name: /上\s*报/ })
      .click();
    await version.getByText(zh('reportStatus.forwarded'), { exact: true }).waitFor();
    await screenshot(page, 'reporting-compilation-forwarded-zh');
  });

  test('the province returns the prefecture compilation; compiling waits for it', async () => {
    const { page } = await visit();
    await signInAndWait(page, 'nmg.iit', displayName('nmg.iit'));
    await page.goto(`/compilations/150000/${period}`);
    const child = rowsOf(page, 'compilation-children').filter({ hasText: '包头市' });
    await child.getByRole('button', { name: zh('return.button') }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel(zh('return.reason')).fill('白云鄂博矿区数据缺少说明，请补充后重新汇总上报。');
    await dialog.getByRole('button', { name: /^退\s*回$/ }).click();
    await page
      .getByTestId('returned-children')
      .getByText(/包头市/)
      .waitFor();
    expect(await page.getByTestId('compile').isDisabled()).toBe(true);
    await screenshot(page, 'reporting-compilation-child-returned-zh');

    // The board shows the prefecture as returned.
    await page.goto(`/reporting/board?period=${period}`);
    await rowsOf(page, 'board-children')
      .filter({ hasText: '包头市' })
      .getByTestId('report-status')
      .getByText(zh('reportStatus.returned'))
      .waitFor();
  });

  test('officials read the reconciliation; only MIIT edits the deadlines', async () => {
    const { page } = await visit();
    await signInAndWait(page, 'miit', displayName('miit'));
    await openMenu(page, '数据核对');
    await page.locator('#recon-period-month').fill(period);
    await page.waitForURL(new RegExp(`period=${period}`));
    await rowsOf(page, 'recon-rows').filter({ hasText: '江西省' }).first().waitFor();
    await screenshot(page, 'reporting-reconciliation-zh');

    await openMenu(page, '报送期限');
    const rules = rowsOf(page, 'deadline-rules');
    await expect.poll(() => rules.count()).toBe(8);
    await rules
      .first()
      .getByRole('button', { name: /编\s*辑/ })
      .waitFor();
    await screenshot(page, 'reporting-deadlines-zh');
  });
});
