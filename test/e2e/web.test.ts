import { readFile } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';
import { demo } from './demo-facts.ts';
import { menuLink, openMenu, screenshot, signIn, signInAndWait, tableRows, useBrowser } from './support.ts';

/**
 * The web app in a real browser against a real server on the demo data: what each kind of user sees,
 * in Chinese and in English. Every page visited is saved under test-results/screenshots/.
 */
describe('web app', () => {
  const { visit } = useBrowser();

  test('a ministry official walks through the register in Chinese', async () => {
    const { page } = await visit();
    await signInAndWait(page, 'miit', '工信部原材料司 王处长');

    // Home: statistics over all demo enterprises and the capacity chart drawn on a canvas.
    await expect
      .poll(() => page.getByTestId('stat-enterprises').locator('.ant-statistic-content').textContent())
      .toBe(String(demo.enterpriseCount));
    await page.locator('[data-testid="echart"] canvas').waitFor();
    await page.getByText('各省（区、市）稀土开采与冶炼分离产能').waitFor();
    expect(await page.getByTestId('user-name').textContent()).toBe('工信部原材料司 王处长');
    expect(await page.locator('header').textContent()).toContain('工业和信息化部');
    await screenshot(page, 'home-zh');

    // Enterprises: all of them, then narrowed by a name search and by a credit code.
    await openMenu(page, '稀土生产企业');
    await page.getByText(`共 ${demo.enterpriseCount} 条`).waitFor();
    expect(await tableRows(page).count()).toBe(demo.enterpriseCount);
    await screenshot(page, 'enterprises-zh');

    const search = page.getByPlaceholder('企业名称或统一社会信用代码');
    await search.fill('包头');
    await search.press('Enter');
    await page.getByText(`共 ${demo.baotouNames.length} 条`).waitFor();
    expect(await tableRows(page).count()).toBe(demo.baotouNames.length);
    expect(page.url()).toContain('q=');

    await search.fill(demo.bayan.creditCode);
    await search.press('Enter');
    await page.getByText('共 1 条').waitFor();
    await screenshot(page, 'enterprises-search-zh');

    // The CSV export carries the same filter as the list.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: /导出 CSV/ }).click(),
    ]);
    const csv = await readFile(await download.path(), 'utf8');
    const lines = csv.split(/\r?\n/).filter((line) => line.trim() !== '');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(demo.bayan.creditCode);

    // Detail: facts, licences, security profile, designation and history of the Bayan mine.
    await page.getByRole('link', { name: demo.bayan.name }).click();
    await page.getByRole('heading', { name: demo.bayan.name }).waitFor();
    await page.getByText(demo.bayan.miningCapacityText).waitFor();
    await page.getByTestId('security-profile').getByText(demo.bayan.responsible).waitFor();
    await page.getByText(demo.bayan.miningDocument).waitFor();
    await page.getByTestId('history').getByText('初始登记').waitFor();
    expect(await page.getByTestId('licences').locator('tr.ant-table-row').count()).toBe(demo.bayan.licenceCount);
    await screenshot(page, 'enterprise-detail-zh');

    // Designations: as many as the demo data makes, none revoked.
    await openMenu(page, '企业确定');
    await page.getByText(`共 ${demo.designationCount} 条`).waitFor();
    await page.getByTestId('designation-status-filter').getByText('已撤销').click();
    await page.locator('.ant-table-placeholder').waitFor();
    expect(await tableRows(page).count()).toBe(0);
    await page.getByTestId('designation-status-filter').getByText('全部').click();
    await page.getByText(`共 ${demo.designationCount} 条`).waitFor();
    await screenshot(page, 'designations-zh');

    // Products: the catalogue with exact REO factors.
    await openMenu(page, '产品目录');
    await page.getByText(`共 ${demo.productCount} 条`).waitFor();
    await page.getByText('1.166377 kg REO/kg').waitFor();
    await page.getByText('金属钕').waitFor();
    await screenshot(page, 'products-zh');

    // Divisions: the tree loads one level at a time; a division shows its departments.
    await openMenu(page, '行政区划');
    await page.locator('.ant-tree-treenode', { hasText: '内蒙古自治区' }).locator('.ant-tree-switcher').click();
    const baotou = page.locator('.ant-tree-treenode', { hasText: '包头市' });
    await baotou.waitFor();
    await baotou.locator('.ant-tree-switcher').click();
    await page.locator('.ant-tree-treenode', { hasText: '昆都仑区' }).waitFor();
    await baotou.locator('.ant-tree-title').click();
    await page.getByTestId('division-departments').getByText('包头市工业和信息化局').waitFor();
    await page.getByTestId('division-departments').getByText('包头市自然资源局').waitFor();
    await screenshot(page, 'divisions-zh');
  });

  test('a Baotou official sees exactly the three Baotou enterprises', async () => {
    const { page } = await visit();
    await signInAndWait(page, 'baotou.iit', '包头市工信局 周科员');
    await expect
      .poll(() => page.getByTestId('stat-enterprises').locator('.ant-statistic-content').textContent())
      .toBe(String(demo.baotouNames.length));
    await openMenu(page, '稀土生产企业');
    await page.getByText(`共 ${demo.baotouNames.length} 条`).waitFor();
    const names = await tableRows(page).locator('td:first-child a').allTextContents();
    expect(names.sort()).toEqual(demo.baotouNames);
    // Local departments keep the register but do not designate (Art. 7 is the ministry's).
    expect(await menuLink(page, '企业确定').count()).toBe(1);
    expect(await menuLink(page, '审计日志').count()).toBe(0);
    await screenshot(page, 'enterprises-baotou-zh');
  });

  test('switching to English relabels the app and is remembered', async () => {
    const { page } = await visit();
    await signInAndWait(page, 'miit', '工信部原材料司 王处长');
    await page.getByText('English', { exact: true }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.getByText('Enterprises in my jurisdiction').waitFor();
    await page.getByText('Mining and separation capacity by province').waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await screenshot(page, 'home-en');

    await page.reload();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await openMenu(page, 'Products');
    await page.getByText('Neodymium metal', { exact: true }).waitFor();
    await page.getByText('By fixed factor').first().waitFor();
    await screenshot(page, 'products-en');

    await openMenu(page, 'Enterprises');
    await page.getByText(`${demo.enterpriseCount} in total`).waitFor();
    await page.getByRole('columnheader', { name: 'Unified social credit code' }).waitFor();
    await screenshot(page, 'enterprises-en');
  });

  test('a wrong password shows the server explanation and stays on the login page', async () => {
    const { page } = await visit();
    await page.goto('/');
    await page.waitForURL('**/login');
    await page.locator('#login').waitFor();
    await screenshot(page, 'login-zh');
    await signIn(page, 'mnr', 'not-the-password');
    const problem = page.getByTestId('problem');
    await problem.getByText('用户名或密码错误').waitFor();
    await problem.getByText('The login or the password is wrong.').waitFor();
    expect(new URL(page.url()).pathname).toBe('/login');
    await screenshot(page, 'login-failed-zh');
  });

  test('an enterprise user sees only its own enterprise and keeps its security profile', async () => {
    const { page } = await visit();
    await signInAndWait(page, 'ent.bayan', '巴彦稀土矿业 统计员');
    await expect
      .poll(() => page.getByTestId('stat-enterprises').locator('.ant-statistic-content').textContent())
      .toBe('1');
    await openMenu(page, '稀土生产企业');
    await page.getByText('共 1 条').waitFor();
    expect(await tableRows(page).locator('td:first-child a').allTextContents()).toEqual([demo.bayan.name]);
    expect(await page.getByRole('button', { name: '登记企业' }).count()).toBe(0);

    await page.getByRole('link', { name: demo.bayan.name }).click();
    await page.getByRole('button', { name: '维护安全信息' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.locator('#responsible_person').fill('其木格');
    await dialog.getByRole('button', { name: /保\s*存/ }).click();
    await page.getByTestId('security-profile').getByText('其木格', { exact: true }).waitFor();
    await page.getByTestId('history').getByText('网络和数据安全').waitFor();
    expect(await page.getByRole('button', { name: /编\s*辑/ }).count()).toBe(0);
    await screenshot(page, 'enterprise-detail-own-zh');
  });

  test('oversight verifies the audit chain and the operator lists the users', async () => {
    const { page, context } = await visit();
    await signInAndWait(page, 'oversight', '驻部纪检监察组 审计员');
    await openMenu(page, '审计日志');
    await tableRows(page).first().waitFor();
    await page.getByRole('button', { name: '校验哈希链' }).click();
    await page
      .getByTestId('audit-verification')
      .getByText(/哈希链完整/)
      .waitFor();
    await screenshot(page, 'audit-zh');

    await page.getByRole('button', { name: '退出登录' }).click();
    await page.waitForURL('**/login');
    await context.clearCookies();
    await signInAndWait(page, 'operator', '系统运维');
    expect(await menuLink(page, '稀土生产企业').count()).toBe(0);
    await openMenu(page, '用户管理');
    await page.getByText(`共 ${demo.userCount} 条`).waitFor();
    await screenshot(page, 'users-zh');
  });
});
