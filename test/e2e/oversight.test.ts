import { request } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { oversightMessages, type OversightMessageKey } from '../../src/web/shared/messages-oversight.ts';
import { apiSignIn, originOf, openMenu, screenshot, signInAndWait, useBrowser } from './support.ts';

/**
 * Oversight of officials (Art. 15) in the web app, on the demo data and the real clock: an enterprise user who
 * keeps asking for what is not theirs is refused each time; the oversight role runs the alert rules, finds the
 * repeated denials with their evidence, acknowledges the alert with a note, and finds its own acknowledgement —
 * who, what, to what, from where — in the audit search. The tests build on each other, in order.
 */

const zh = (key: OversightMessageKey): string => oversightMessages[key][0];
const NOTE = '已核实：企业人员误用链接访问监管看板，已提醒';

describe.sequential('oversight in the web app', () => {
  const { visit } = useBrowser();
  let alertId = '';

  test('twelve refusals of one enterprise user raise a repeated-denials alert when the rules run', async () => {
    const { page } = await visit();
    await signInAndWait(page, 'oversight', '驻部纪检监察组 审计员');
    const api = await request.newContext({ baseURL: originOf(page) });
    try {
      await apiSignIn(api, originOf(page), 'ent.bayan');
      for (let attempt = 0; attempt < 12; attempt += 1)
        expect((await api.get('/api/v1/dashboard?year=2026')).status()).toBe(403);
    } finally {
      await api.dispose();
    }

    await openMenu(page, '监督告警');
    await page.getByRole('button', { name: zh('oversight.run') }).click();
    await page.getByTestId('oversight-run').waitFor();
    const row = page
      .locator('.ant-table-tbody > tr.ant-table-row')
      .filter({ hasText: zh('oversight.rule.repeated_denials') })
      .filter({ hasText: 'ent.bayan' })
      .first();
    await row.waitFor();
    await screenshot(page, 'oversight-alerts-zh');
    alertId = (await row.getAttribute('data-row-key')) ?? '';
    expect(alertId).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('oversight acknowledges the alert with a note, and finds the acknowledgement in the audit search', async () => {
    const { page } = await visit();
    await signInAndWait(page, 'oversight', '驻部纪检监察组 审计员');
    await openMenu(page, '监督告警');
    const row = page.locator(`.ant-table-tbody > tr[data-row-key="${alertId}"]`);
    // Ant Design spaces a two-character Chinese label: 确 认.
    await row.getByRole('button', { name: /^确\s*认$/ }).click();
    const modal = page.locator('.ant-modal:visible');
    await modal.locator('textarea').fill(NOTE);
    await modal.locator('.ant-modal-footer .ant-btn-primary').click();
    // Acknowledged, it leaves the open alerts.
    await expect.poll(() => page.locator(`.ant-table-tbody > tr[data-row-key="${alertId}"]`).count()).toBe(0);

    await page.getByRole('tab', { name: zh('oversight.tab.audit') }).click();
    const search = page.getByRole('tabpanel', { name: zh('oversight.tab.audit') });
    await search.getByPlaceholder(zh('oversight.filter.actionPrefix')).fill('oversight.alert');
    await search.getByRole('button', { name: /^检\s*索$/ }).click();
    const entry = page
      .getByRole('tabpanel', { name: zh('oversight.tab.audit') })
      .locator('.ant-table-tbody > tr.ant-table-row')
      .filter({ hasText: 'oversight.alert.acknowledge' })
      .first();
    await entry.getByText('oversight', { exact: true }).first().waitFor();
    await entry.getByText(/127\.0\.0\.1|::1|::ffff:127\.0\.0\.1/).waitFor();
    await screenshot(page, 'oversight-audit-zh');
  });
});
