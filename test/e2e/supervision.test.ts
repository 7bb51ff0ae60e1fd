import { createHash } from 'node:crypto';
import { request, type Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { demoEnterprises } from '../../src/server/demo/demo-data.ts';
import { loadDemoFlows } from '../../src/server/demo/demo-flows.ts';
import { messages, type MessageKey } from '../../src/web/shared/messages.ts';
import { displayName, switchUser } from './indicators-steps.ts';
import {
  apiSignIn,
  originOf,
  menuLink,
  openMenu,
  screenshot,
  signInAndWait,
  useBrowser,
  waitForNetworkIdle,
} from './support.ts';

/**
 * Supervision (Arts. 12–16) in the web app, on the demo data with its July–October 2026 flows and the server's
 * clock at 2 December 2026: the Baotou bureau plans an inspection of the Kundulun plant on its late-declaration
 * anomaly, records the visit (a second tab that read the old version is told of the conflict), uploads an
 * evidence PDF (and is told why a text file is refused), records a violation with its legal basis; a fine
 * without an amount is refused on the field; a correction order due on 27 November is overdue on the board;
 * the handling is reported to Inner Mongolia, whose official sees it. The plant's own user reads only its own,
 * with no write buttons. The risk list ranks Baotou's plants with their reasons, the bureau edits its weights and
 * plans from a row; Inner Mongolia submits its annual report (due in December) and MIIT sees it submitted.
 * The tests build on each other, in order.
 */

const NOW = new Date('2026-12-02T10:00:00+08:00');
const kundulun = demoEnterprises.find((item) => item.key === 'kundulun')!;
const ORDER_NO = '包工信责改〔2026〕21号';
const FINE_NO = '包工信罚决〔2026〕21号';
const PURPOSE = '核查2026年10月流向信息未按期录入情况';
const FINDINGS = '10月流向信息逾期录入，流向记录制度执行不到位';

function zh(key: MessageKey): string {
  return messages[key][0];
}

/** A small well-formed-looking PDF. */
const pdf = Buffer.from(
  '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n% 现场检查笔录\ntrailer << /Root 1 0 R >>\n%%EOF\n',
  'utf8',
);

/** Picks the option named `option` of the antd Select whose input has `id` (typing `search` first, if given). */
async function pick(page: Page, id: string, option: string | RegExp, search?: string): Promise<void> {
  const select = page.locator('.ant-select').filter({ has: page.locator(`#${id}`) });
  await select.click();
  if (search) await page.locator(`#${id}`).fill(search);
  await page
    .locator('.ant-select-dropdown:visible .ant-select-item-option')
    .filter({ hasText: option })
    .first()
    .click();
}

/** The OK button of the open modal. */
function modalOk(page: Page) {
  return page.locator('.ant-modal-footer:visible .ant-btn-primary');
}

function rowsOf(page: Page, testId: string) {
  return page.getByTestId(testId).locator('.ant-table-tbody > tr.ant-table-row');
}

async function apiGet<T>(page: Page, login: string, path: string): Promise<T> {
  const context = await request.newContext({ baseURL: originOf(page) });
  try {
    await apiSignIn(context, originOf(page), login);
    const response = await context.get(`/api/v1${path}`);
    expect(response.ok(), await response.text()).toBe(true);
    return (await response.json()) as T;
  } finally {
    await context.dispose();
  }
}

describe.sequential('supervision in the web app', () => {
  const { visit } = useBrowser({ load: loadDemoFlows, clock: () => NOW });
  let inspectionPath = '';
  let violationPath = '';
  let decisionPath = '';

  test('the Baotou bureau plans an inspection of the Kundulun plant on its late-declaration anomaly', async () => {
    const { page } = await visit();
    await signInAndWait(page, 'baotou.iit', displayName('baotou.iit'));
    await openMenu(page, zh('nav.inspections'));
    await page.getByTestId('plan-inspection').click();
    await pick(page, 'plan-enterprise', kundulun.name, '昆都仑');
    await page.locator('#plan-date').fill('2026-11-23');
    await page.locator('#plan-purpose').fill(PURPOSE);
    const anomaly = page
      .getByTestId('plan-anomalies')
      .locator('label')
      .filter({ hasText: zh('anomalyRule.declaration_late') });
    await anomaly.first().click();
    await page.locator('#plan-reasons').fill('10月流向信息12日才录入');
    await screenshot(page, 'supervision-plan-zh');
    await modalOk(page).click();

    await page.waitForURL(/\/supervision\/inspections\/[0-9a-f-]{36}$/);
    inspectionPath = new URL(page.url()).pathname;
    await page.getByRole('heading', { name: `检查：${kundulun.name}` }).waitFor();
    const basis = page.getByTestId('inspection-basis');
    await basis.getByText(zh('anomalyRule.declaration_late')).waitFor();
    await basis.getByText('10月流向信息12日才录入').waitFor();
    await page.getByTestId('inspection-facts').getByText('baotou.iit').first().waitFor();
  });

  test('records the visit; a second tab that read the old version is told of the conflict', async () => {
    const { page, context } = await visit();
    await signInAndWait(page, 'baotou.iit', displayName('baotou.iit'));
    await page.goto(inspectionPath);
    await page.getByTestId('visit-card').waitFor();
    const stale = await context.newPage();
    await stale.goto(inspectionPath);
    await stale.getByTestId('visit-card').waitFor();

    await page.locator('#visit-date').fill('2026-11-24');
    await pick(page, 'visit-outcome', new RegExp(`^${zh('inspectionOutcome.violation_found')}$`));
    await page.locator('#visit-findings').fill(FINDINGS);
    await page.getByTestId('visit-submit').click();
    await page.getByTestId('inspection-facts').getByText(FINDINGS).waitFor();
    expect(await page.getByTestId('visit-card').count()).toBe(0);

    await stale.locator('#visit-date').fill('2026-11-24');
    await pick(stale, 'visit-outcome', new RegExp(`^${zh('inspectionOutcome.no_violation')}$`));
    await stale.locator('#visit-findings').fill('未发现问题');
    await stale.getByTestId('visit-submit').click();
    await stale
      .getByTestId('conflict')
      .getByText(/已被他人更新/)
      .waitFor();
    await screenshot(stale, 'supervision-visit-conflict-zh');
    await stale.close();
  });

  test('uploads an evidence PDF with its SHA-256 and SM3; a text file is refused with the reason', async () => {
    const { page } = await visit();
    await signInAndWait(page, 'baotou.iit', displayName('baotou.iit'));
    await page.goto(inspectionPath);
    const input = page.getByTestId('evidence-input');
    await input.setInputFiles({ name: '现场检查笔录.pdf', mimeType: 'application/pdf', buffer: pdf });
    const row = rowsOf(page, 'evidence').filter({ hasText: '现场检查笔录.pdf' });
    await row.waitFor();
    const hashes = row.getByTestId('evidence-hashes');
    await hashes.getByText(createHash('sha256').update(pdf).digest('hex')).waitFor();
    await hashes.getByText(createHash('sm3').update(pdf).digest('hex')).waitFor();
    await row.getByText('application/pdf').waitFor();
    const href = await row.getByRole('link').getAttribute('href');
    expect(href).toMatch(/^\/api\/v1\/supervision\/evidence\/[0-9a-f-]{36}$/);

    await input.setInputFiles({ name: '说明.txt', mimeType: 'text/plain', buffer: Buffer.from('只是文字') });
    const problem = page.getByTestId('evidence-card').getByTestId('problem');
    await problem.getByText(zh('evidence.refused')).waitFor();
    // Over 10 MB: stopped before the upload, with the limit named.
    const big = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(10 * 1024 * 1024 + 1)]);
    await input.setInputFiles({ name: '扫描件.pdf', mimeType: 'application/pdf', buffer: big });
    await page
      .getByTestId('evidence-card')
      .getByText(/文件过大.*10 MB/)
      .waitFor();
    expect(await rowsOf(page, 'evidence').count()).toBe(1);
    await screenshot(page, 'supervision-inspection-zh');
  });

  test('records a violation from the inspection: the type shows its legal basis in Chinese', async () => {
    const { page } = await visit();
    await signInAndWait(page, 'baotou.iit', displayName('baotou.iit'));
    await page.goto(inspectionPath);
    await page.getByTestId('record-violation').click();
    await pick(page, 'violation-type', /^未建立稀土产品流向记录制度/);
    await page
      .getByTestId('violation-basis')
      .getByText(/第十条/)
      .waitFor();
    await modalOk(page).click();
    await page.waitForURL(/\/supervision\/violations\/[0-9a-f-]{36}$/);
    violationPath = new URL(page.url()).pathname;
    await page
      .getByTestId('legal-basis')
      .getByText(/《稀土开采和冶炼分离总量控制管理暂行办法》第十条/)
      .waitFor();
    await page.getByTestId('violation-facts').getByText(FINDINGS).waitFor();
  });

  test('a fine without an amount is refused on the field; a correction order is made', async () => {
    const { page } = await visit();
    await signInAndWait(page, 'baotou.iit', displayName('baotou.iit'));
    await page.goto(violationPath);
    await page.getByTestId('make-decision').click();
    const form = page.getByTestId('decision-form');
    await form.getByText(zh('decisionKind.fine'), { exact: true }).click();
    await page.locator('#decision-document-no').fill(FINE_NO);
    await page.locator('#decision-decided-on').fill('2026-11-25');
    await expect.poll(() => form.locator('#decision-final').count()).toBe(1);
    await modalOk(page).click();
    const fineItem = form.locator('.ant-form-item').filter({ has: page.locator('#decision-fine-yuan') });
    await fineItem
      .locator('.ant-form-item-explain-error')
      .getByText(/is required for a fine/)
      .waitFor();
    await screenshot(page, 'supervision-fine-error-zh');

    await form.getByText(zh('decisionKind.correction_order'), { exact: true }).click();
    expect(await form.locator('#decision-final').count()).toBe(0);
    await page.locator('#decision-document-no').fill(ORDER_NO);
    await page.locator('#decision-decided-on').fill('2026-11-25');
    await page.locator('#decision-correction-due-on').fill('2026-11-27');
    await modalOk(page).click();
    await page.waitForURL(/\/supervision\/decisions\/[0-9a-f-]{36}$/);
    decisionPath = new URL(page.url()).pathname;
    await page.getByRole('heading', { name: `处理决定 ${ORDER_NO}` }).waitFor();
    // Due on 27 November, open on 2 December: overdue.
    await page.getByTestId('overdue-banner').waitFor();
  });

  test('the order is on the overdue board of the supervision home; reported upward, Inner Mongolia sees it', async () => {
    const { page } = await visit();
    await signInAndWait(page, 'baotou.iit', displayName('baotou.iit'));
    await openMenu(page, zh('nav.supervision'));
    const board = page.getByTestId('overdue-board');
    await rowsOf(page, 'overdue-decisions').filter({ hasText: ORDER_NO }).waitFor();
    const total = Number(await board.getByTestId('overdue-total').textContent());
    expect(total).toBeGreaterThanOrEqual(1);
    await screenshot(page, 'supervision-home-zh');

    await page.goto('/supervision/decisions?overdue=true');
    await rowsOf(page, 'decisions').filter({ hasText: ORDER_NO }).waitFor();
    await page.getByTestId('overdue-count').getByText(String(total)).waitFor();

    await page.goto(decisionPath);
    await page.getByTestId('report-upward').click();
    await page
      .locator('.ant-popconfirm')
      .getByRole('button', { name: zh('decision.reportUpward') })
      .click();
    await page
      .getByTestId('reported-upward')
      .getByText(/150000/)
      .waitFor();
    expect(await page.getByTestId('report-upward').count()).toBe(0);
    await screenshot(page, 'supervision-decision-zh');

    await switchUser(page, 'nmg.iit');
    await openMenu(page, zh('nav.reported'));
    const row = rowsOf(page, 'reported').filter({ hasText: ORDER_NO });
    await row.getByText(zh('supervision.overdue')).waitFor();
    await row.getByText('150200').first().waitFor();
    await screenshot(page, 'supervision-reported-zh');
  });

  test('the plant’s own user reads its own inspections and decisions, with no write buttons', async () => {
    const { page } = await visit();
    await signInAndWait(page, 'ent.kundulun', displayName('ent.kundulun'));
    await menuLink(page, zh('nav.supervision')).waitFor();
    expect(await menuLink(page, zh('nav.reported')).count()).toBe(0);
    await openMenu(page, zh('nav.inspections'));
    await rowsOf(page, 'inspections').first().waitFor();
    await waitForNetworkIdle(page);
    const names = await rowsOf(page, 'inspections').locator('td:first-child').allTextContents();
    expect(names.length).toBeGreaterThan(0);
    expect(names.every((name) => name === kundulun.name)).toBe(true);
    expect(await page.getByTestId('plan-inspection').count()).toBe(0);

    await page.goto(inspectionPath);
    await rowsOf(page, 'evidence').filter({ hasText: '现场检查笔录.pdf' }).waitFor();
    expect(await page.getByTestId('visit-card').count()).toBe(0);
    expect(await page.getByTestId('record-violation').count()).toBe(0);
    expect(await page.getByTestId('evidence-input').count()).toBe(0);

    await page.goto(decisionPath);
    await page.getByRole('heading', { name: `处理决定 ${ORDER_NO}` }).waitFor();
    expect(await page.locator('[data-testid^="move-"]').count()).toBe(0);
    expect(await page.getByTestId('report-upward').count()).toBe(0);
    await page.goto(violationPath);
    await page.getByTestId('legal-basis').waitFor();
    expect(await page.getByTestId('make-decision').count()).toBe(0);

    // What the server gives the plant is its own only, too.
    const decisions = await apiGet<{ items: { enterprise_name: string }[] }>(
      page,
      'ent.kundulun',
      '/supervision/decisions',
    );
    expect(decisions.items.every((item) => item.enterprise_name === kundulun.name)).toBe(true);
    await screenshot(page, 'supervision-enterprise-zh');
    // The same page in English: the legal basis follows the language.
    await page.getByText('English', { exact: true }).click();
    await page.getByRole('heading', { name: `Violation: ${kundulun.name}` }).waitFor();
    await page
      .getByTestId('legal-basis')
      .getByText(/Interim Measures/)
      .waitFor();
    await screenshot(page, 'supervision-enterprise-en');
  });

  test('the risk list ranks the plants with their reasons; the bureau edits its weights and plans from a row', async () => {
    const { page } = await visit();
    await signInAndWait(page, 'baotou.iit', displayName('baotou.iit'));
    await openMenu(page, zh('nav.risk'));
    const rows = rowsOf(page, 'risk');
    await rows.first().waitFor();
    const row = rows.filter({ hasText: kundulun.name });
    await row.getByTestId('risk-reasons').waitFor();
    await page.getByTestId('weights-source').getByText(zh('risk.weightsSource.default')).waitFor();
    await screenshot(page, 'supervision-risk-zh');

    await page.getByTestId('edit-weights').click();
    const late = page.getByTestId('weights-form').locator('#weights_late_filing');
    await late.fill('5');
    await page.locator('#weights-note').fill('逾期报送加重');
    await modalOk(page).click();
    await page.getByTestId('weights-source').getByText('本级设定（第 1 版）').waitFor();

    await row.getByTestId('risk-plan').click();
    await page.waitForURL(/plan=1/);
    const form = page.getByTestId('plan-form');
    await form.getByText(kundulun.name).first().waitFor();
    const ticked = page.getByTestId('plan-anomalies').locator('.ant-checkbox-wrapper-checked');
    await expect.poll(() => ticked.count()).toBeGreaterThan(0);
    await page
      .locator('.ant-modal-footer:visible')
      .getByRole('button', { name: /取\s*消/ })
      .click();
  });

  test('Inner Mongolia submits its annual report with the sections; MIIT sees the province submitted', async () => {
    const { page } = await visit();
    await signInAndWait(page, 'nmg.iit', displayName('nmg.iit'));
    await openMenu(page, zh('nav.annualReports'));
    await page.waitForURL(/\/supervision\/annual-reports\/150000\/2026/);
    await page.getByRole('heading', { name: /内蒙古自治区2026年度监督检查情况报告/ }).waitFor();
    await page.getByTestId('annual-inspections').getByText(kundulun.name).first().waitFor();
    await page.getByTestId('annual-violations').getByText('Measures Art. 10', { exact: false }).first().waitFor();
    await page.getByTestId('annual-status').getByText(zh('annual.status.due')).waitFor();

    await page.getByTestId('annual-submit').click();
    await modalOk(page).click();
    const digest = page.getByTestId('annual-digest');
    await digest.waitFor();
    expect((await digest.textContent()) ?? '').toMatch(/^[0-9a-f]{64}$/);
    await page.getByTestId('annual-status').getByText(zh('annual.status.submitted')).waitFor();
    await screenshot(page, 'supervision-annual-zh');

    await page.getByTestId('annual-export').click();
    const xlsx = page.locator('.ant-dropdown a[href*="format=xlsx"]');
    await xlsx.waitFor();
    expect(await xlsx.getAttribute('href')).toContain('/api/v1/supervision/annual-reports/150000/2026/export');
    const hrefs = await page
      .locator('.ant-dropdown a')
      .evaluateAll((anchors) => anchors.map((anchor) => anchor.getAttribute('href') ?? ''));
    const pdf = await page.request.get(hrefs.find((href) => href.includes('format=pdf'))!);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toContain('application/pdf');

    await switchUser(page, 'miit');
    await openMenu(page, zh('nav.annualReports'));
    const province = rowsOf(page, 'annual-provinces').filter({ hasText: '内蒙古自治区' });
    await province.getByText(zh('annual.status.submitted')).waitFor();
    await screenshot(page, 'supervision-annual-ministry-zh');
  });

  test('the bureau marks the order complied with a note: it leaves the overdue board', async () => {
    const { page } = await visit();
    await signInAndWait(page, 'baotou.iit', displayName('baotou.iit'));
    await page.goto(decisionPath);
    await page.getByTestId('overdue-banner').waitFor();
    await page.getByTestId('move-complied').click();
    await page.locator('#move-note').fill('企业已补录10月流向信息并建立月度核对制度');
    await modalOk(page).click();
    await page.getByTestId('transitions').getByText('企业已补录10月流向信息并建立月度核对制度').waitFor();
    await page.getByTestId('decision-status').getByText(zh('decisionStatus.complied')).first().waitFor();
    expect(await page.getByTestId('overdue-banner').count()).toBe(0);
    // Complied, it may be closed or reopened; nothing else.
    expect(await page.getByTestId('move-closed').count()).toBe(1);
    expect(await page.getByTestId('move-open').count()).toBe(1);
    expect(await page.getByTestId('move-complied').count()).toBe(0);

    await openMenu(page, zh('nav.supervision'));
    await page.getByTestId('overdue-board').getByText(zh('supervisionHome.overdueNone')).waitFor();
    expect(await page.getByTestId('overdue-total').textContent()).toBe('0');
  });

  test('a planned inspection is reassigned to the province’s official, the history naming both', async () => {
    const { page } = await visit();
    await signInAndWait(page, 'baotou.iit', displayName('baotou.iit'));
    await openMenu(page, zh('nav.inspections'));
    await page.getByTestId('plan-inspection').click();
    await pick(page, 'plan-enterprise', kundulun.name, '昆都仑');
    await page.locator('#plan-date').fill('2026-12-09');
    await page.locator('#plan-purpose').fill('整改情况复查');
    await page.locator('#plan-reasons').fill('复查责令改正落实情况');
    await modalOk(page).click();
    await page.waitForURL(/\/supervision\/inspections\/[0-9a-f-]{36}$/);

    await page.getByTestId('reassign').click();
    const inspectors = page.locator('#reassign-inspectors');
    await inspectors.fill('nmg.iit');
    await inspectors.press('Enter');
    await page.locator('#reassign-note').fill('自治区厅牵头复查');
    await screenshot(page, 'supervision-reassign-zh');
    await page.getByTestId('reassign-ok').click();
    await page
      .getByTestId('transitions')
      .getByText('改派检查人员（baotou.iit → baotou.iit、nmg.iit）：自治区厅牵头复查')
      .waitFor();
    await page.getByTestId('inspection-facts').getByText('baotou.iit、nmg.iit').waitFor();
  });

  test('a fine decided while appeal was possible is recorded final; Art. 14 then counts it', async () => {
    const { page } = await visit();
    await signInAndWait(page, 'baotou.iit', displayName('baotou.iit'));
    await page.goto(violationPath);
    await page.getByTestId('make-decision').click();
    const form = page.getByTestId('decision-form');
    await form.getByText(zh('decisionKind.fine'), { exact: true }).click();
    await page.locator('#decision-document-no').fill(FINE_NO);
    await page.locator('#decision-decided-on').fill('2026-11-26');
    await page.locator('#decision-fine-yuan').fill('150000');
    await modalOk(page).click();
    await page.waitForURL(/\/supervision\/decisions\/[0-9a-f-]{36}$/);
    await page.getByTestId('decision-finality').getByText(zh('decision.notFinal')).waitFor();
    await page
      .getByTestId('decision-basis')
      .getByText(/暂行办法》第十三条$/)
      .waitFor();

    await page.getByTestId('finality-final').click();
    await page.locator('#finality-effective-on').fill('2026-12-01');
    await page.locator('#finality-note').fill('复议期限届满未申请复议');
    await page.getByTestId('finality-ok').click();
    await page.getByTestId('decision-finality').getByText(zh('supervision.final')).waitFor();
    await page.getByTestId('transitions').getByText('2026-12-01 处罚生效：复议期限届满未申请复议').waitFor();
    expect(await page.getByTestId('finality-final').count()).toBe(0);
    expect(await page.getByTestId('finality-revoked').count()).toBe(0);
    await screenshot(page, 'supervision-final-zh');
    const id = new URL(page.url()).pathname.split('/').at(-1)!;
    const decision = await apiGet<{ final: boolean; version: number }>(page, 'miit', `/supervision/decisions/${id}`);
    expect(decision).toMatchObject({ final: true, version: 2 });
  });

  test('an anomaly’s drawer leads the bureau to the plan form, the anomaly ticked', async () => {
    const { page } = await visit();
    await signInAndWait(page, 'baotou.iit', displayName('baotou.iit'));
    await page.goto('/anomalies');
    await page.locator('#anomalies-period').fill('2026-10');
    await page.locator('#anomalies-period').press('Enter');
    const row = page.locator('.ant-table-tbody > tr.ant-table-row').filter({ hasText: kundulun.name }).first();
    await row.getByRole('button', { name: /查\s*看/ }).click();
    await page.getByTestId('anomaly-plan-inspection').click();
    await page.waitForURL(/\/supervision\/inspections\?.*plan=1/);
    await page.getByTestId('plan-form').getByText(kundulun.name).first().waitFor();
    const ticked = page.getByTestId('plan-anomalies').locator('.ant-checkbox-wrapper-checked');
    await expect.poll(() => ticked.count()).toBe(1);
  });
});
