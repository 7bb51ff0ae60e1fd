import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { demoUsers } from '../../src/server/demo/demo-data.ts';
import { demo } from './demo-facts.ts';
import {
  enrolAuthenticator,
  menuLink,
  openMenu,
  screenshot,
  signIn,
  signInAndWait,
  tableRows,
  useBrowser,
} from './support.ts';

/** Picks an option of the antd Select whose input has the given id. */
async function choose(page: Page, inputId: string, optionText: string): Promise<void> {
  await page.locator(`#${inputId}`).click();
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: optionText }).first().click();
  await page.locator('.ant-select-dropdown:visible').waitFor({ state: 'hidden' });
}

const NEW_LOGIN = 'miit.newcomer';
const NEW_NAME = '工信部原材料司 新任科员';

/**
 * Two people for privileged accounts, in the browser: the operator proposes a MIIT official, who cannot sign in
 * until a second MIIT official approves the account on the 待审批账号 page; then the new official signs in.
 */
describe('two people for privileged accounts', () => {
  const { visit } = useBrowser();

  test('the operator proposes a MIIT official; it cannot sign in until miit.review approves it', async () => {
    // The operator proposes the account: the list shows it waiting for MIIT.
    const operator = await visit();
    await signInAndWait(operator.page, 'operator', '系统运维');
    await openMenu(operator.page, '用户管理');
    await operator.page.getByText(`共 ${demo.userCount} 条`).waitFor();
    await operator.page.getByRole('button', { name: '新增用户' }).click();
    const dialog = operator.page.getByRole('dialog');
    await dialog.locator('#login').fill(NEW_LOGIN);
    await dialog.locator('#display_name').fill(NEW_NAME);
    await dialog.locator('#password').fill('Monazite-demo-2026');
    await choose(operator.page, 'role', '部委工作人员');
    await choose(operator.page, 'authority_id', '工业和信息化部');
    await dialog.getByRole('button', { name: /保\s*存/ }).click();
    await operator.page.getByText('已提交审批：账号须经 工业和信息化部 批准后方可登录').waitFor();
    await operator.page.getByText(`共 ${demo.userCount + 1} 条`).waitFor();
    await tableRows(operator.page).filter({ hasText: NEW_LOGIN }).getByText('待审批').waitFor();
    await screenshot(operator.page, 'grant-proposed-zh');
    await operator.context.close();

    // The new official cannot sign in yet: told only what a wrong password is told.
    const early = await visit();
    await signIn(early.page, NEW_LOGIN);
    await early.page.getByText('用户名或密码错误').waitFor();
    await screenshot(early.page, 'grant-pending-sign-in-zh');
    await early.context.close();

    // The second MIIT official approves it on the pending accounts page.
    const reviewer = await visit();
    await signInAndWait(reviewer.page, 'miit.review', '工信部原材料司 李副处长');
    await openMenu(reviewer.page, '待审批账号');
    const row = tableRows(reviewer.page).filter({ hasText: NEW_LOGIN });
    await row.getByText('新建账号').waitFor();
    await row.getByText('operator').waitFor();
    await screenshot(reviewer.page, 'grants-pending-zh');
    await row.getByRole('button', { name: /批\s*准/ }).click();
    await reviewer.page
      .locator('.ant-popconfirm')
      .getByRole('button', { name: /批\s*准/ })
      .click();
    await reviewer.page.getByText('没有待审批的账号').waitFor();
    await reviewer.page.getByText('已批准', { exact: true }).first().click();
    await tableRows(reviewer.page).filter({ hasText: NEW_LOGIN }).getByText('miit.review').waitFor();
    await screenshot(reviewer.page, 'grants-approved-zh');
    await reviewer.context.close();

    // Now the new official signs in, sets up an authenticator (an official must have one), and has a ministry
    // official's menu.
    const after = await visit();
    await signIn(after.page, NEW_LOGIN);
    await enrolAuthenticator(after.page, NEW_LOGIN);
    await after.page.getByTestId('user-name').filter({ hasText: NEW_NAME }).waitFor();
    await menuLink(after.page, '稀土生产企业').waitFor();
    await menuLink(after.page, '待审批账号').waitFor();
  });

  test('an enterprise user has no pending accounts page', async () => {
    const { page } = await visit();
    const bayanUser = demoUsers.find((user) => user.login === 'ent.bayan')!;
    await signInAndWait(page, 'ent.bayan', bayanUser.display_name);
    await menuLink(page, '稀土生产企业').waitFor();
    expect(await menuLink(page, '待审批账号').count()).toBe(0);
    await page.goto('/account-grants');
    await page.getByText('无权访问').first().waitFor();
  });
});
