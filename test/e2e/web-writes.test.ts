import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { makeCreditCode } from '../../src/contracts/credit-code.rules.ts';
import { formatTonnes, kgToTonnesInput } from '../../src/web/shared/format.ts';
import { demo } from './demo-facts.ts';
import { openMenu, screenshot, signInAndWait, tableRows, useBrowser } from './support.ts';

/** Picks an option of the antd Select whose input has the given id, typing first to search when asked. */
async function choose(page: Page, inputId: string, optionText: string, typed?: string): Promise<void> {
  const input = page.locator(`#${inputId}`);
  await input.click();
  if (typed) await input.fill(typed);
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: optionText }).first().click();
  // A searchable list can stay open after the choice, covering what lies below (the dialog's buttons):
  // moving the focus on closes it, as a person tabbing to the next field would.
  if (await page.locator('.ant-select-dropdown:visible').count()) await page.keyboard.press('Tab');
  await page.locator('.ant-select-dropdown:visible').waitFor({ state: 'hidden' });
}

/** The error antd shows under the form field with this id. */
function fieldError(page: Page, inputId: string) {
  return page.locator('.ant-form-item', { has: page.locator(`#${inputId}`) }).locator('.ant-form-item-explain-error');
}

/**
 * Changes made through the web app: registering and editing enterprises, designating and revoking,
 * the product catalogue and user accounts. A file of its own, so its changes never meet the read tests.
 */
describe('web app changes', () => {
  const { visit } = useBrowser();

  test('a ministry official registers an enterprise, seeing the server’s field error first', async () => {
    const { page } = await visit();
    await signInAndWait(page, 'miit', '工信部原材料司 王处长');
    await openMenu(page, '稀土生产企业');
    await page.getByRole('button', { name: '登记企业' }).click();

    // The Bayan mine's code passes the client's check digit test, but the server knows it is taken.
    await page.locator('#credit_code').fill(demo.bayan.creditCode);
    await page.locator('#name').fill('包头测试稀土新材料有限公司');
    await choose(page, 'kind', '冶炼分离企业');
    await choose(page, 'domicile_code', '白云鄂博矿区', '白云鄂博');
    await page.locator('#separation_capacity_tonnes').fill('1234.567');
    await page.locator('#security_profile_responsible_person').fill('张三');
    await page.getByRole('button', { name: /保\s*存/ }).click();
    await page
      .getByTestId('problem')
      .getByText(/is registered already/)
      .first()
      .waitFor();
    await fieldError(page, 'credit_code')
      .getByText(/is registered already/)
      .waitFor();
    await screenshot(page, 'enterprise-create-conflict-zh');

    await page.locator('#credit_code').fill(makeCreditCode('91', '150206', 'MA0B1099'));
    await page.getByRole('button', { name: /保\s*存/ }).click();
    await page.getByRole('heading', { name: '包头测试稀土新材料有限公司' }).waitFor();
    await page.getByText('1,234.567 吨 REO/年').waitFor();
    await screenshot(page, 'enterprise-created-zh');
  });

  test('a ministry official edits a capacity in tonnes and the exact kg is kept', async () => {
    const { page } = await visit();
    const { weishan } = demo;
    // 125 kg more than now: typed as tonnes with three decimals, it must arrive as the exact integer.
    const newKg = weishan.mining_capacity_reo_kg_per_year + 125;
    await signInAndWait(page, 'miit', '工信部原材料司 王处长');
    await page.goto(`/enterprises?q=${encodeURIComponent(weishan.credit_code)}`);
    await page.getByRole('link', { name: weishan.name }).click();
    await page.getByRole('button', { name: /编\s*辑/ }).click();
    await page.locator('#mining_capacity_tonnes').fill(kgToTonnesInput(newKg));
    await screenshot(page, 'enterprise-edit-zh');
    await page.getByRole('button', { name: /保\s*存/ }).click();
    await page.getByText(`${formatTonnes(newKg)} 吨 REO/年`).waitFor();
    await page.getByTestId('history').getByText('开采产能').waitFor();
    const stored = await page.evaluate(async (creditCode) => {
      const response = await fetch(`/api/v1/enterprises?q=${creditCode}`);
      const body = (await response.json()) as { items: { mining_capacity_reo_kg_per_year: number }[] };
      return body.items[0]?.mining_capacity_reo_kg_per_year;
    }, weishan.credit_code);
    expect(stored).toBe(newKg);
  });

  test('a ministry official designates an enterprise and revokes the designation', async () => {
    const { page } = await visit();
    await signInAndWait(page, 'miit', '工信部原材料司 王处长');
    await openMenu(page, '企业确定');
    await page.getByText(`共 ${demo.designationCount} 条`).waitFor();
    await page.getByRole('button', { name: '新增确定' }).click();
    const dialog = page.getByRole('dialog');
    await choose(page, 'enterprise_id', demo.lincang.name, demo.lincang.credit_code);
    await dialog.locator('#document_no').fill('工信部原函〔2026〕301号');
    await dialog.getByRole('button', { name: /保\s*存/ }).click();
    await page.getByText(`共 ${demo.designationCount + 1} 条`).waitFor();

    const row = tableRows(page).filter({ hasText: '工信部原函〔2026〕301号' });
    await row.getByRole('button', { name: /撤\s*销/ }).click();
    const revoke = page.getByRole('dialog');
    await revoke.locator('#revocation_document_no').fill('工信部原函〔2026〕302号');
    await revoke.locator('#reason').fill('企业申请注销');
    await screenshot(page, 'designation-revoke-zh');
    await revoke.getByRole('button', { name: /撤\s*销/ }).click();
    await row.getByText('已撤销').waitFor();
    await screenshot(page, 'designations-after-revoke-zh');
  });

  test('the operator adds a product and proposes a department official', async () => {
    const { page } = await visit();
    await signInAndWait(page, 'operator', '系统运维');
    await openMenu(page, '产品目录');
    await page.getByText(`共 ${demo.productCount} 条`).waitFor();
    await page.getByRole('button', { name: '新增产品' }).click();
    const productDialog = page.getByRole('dialog');
    await productDialog.locator('#code').fill('ce_metal');
    await productDialog.locator('#name_zh').fill('金属铈');
    await productDialog.locator('#name_en').fill('Cerium metal');
    await choose(page, 'form', '金属');
    await productDialog.locator('#reo_factor').fill('1.228375');
    await productDialog.getByRole('button', { name: /保\s*存/ }).click();
    await page.getByText(`共 ${demo.productCount + 1} 条`).waitFor();
    await tableRows(page).filter({ hasText: 'CE_METAL' }).getByText('1.228375 kg REO/kg').waitFor();
    await screenshot(page, 'products-added-zh');

    await openMenu(page, '用户管理');
    await page.getByText(`共 ${demo.userCount} 条`).waitFor();
    await page.getByRole('button', { name: '新增用户' }).click();
    const userDialog = page.getByRole('dialog');
    await userDialog.locator('#login').fill('ganzhou.iit');
    await userDialog.locator('#display_name').fill('赣州市工信局 李科员');
    await userDialog.locator('#password').fill('Ganzhou-2026-secret');
    await choose(page, 'division_code', '赣州市', '赣州');
    await choose(page, 'authority_id', '赣州市工业和信息化局');
    await screenshot(page, 'user-create-zh');
    await userDialog.getByRole('button', { name: /保\s*存/ }).click();
    await page.getByText(`共 ${demo.userCount + 1} 条`).waitFor();
    await tableRows(page).filter({ hasText: 'ganzhou.iit' }).getByText('地方主管部门工作人员').waitFor();
    // A department official is a proposal: it waits for Ganzhou's industry & IT bureau (or the one above) to approve.
    await tableRows(page).filter({ hasText: 'ganzhou.iit' }).getByText('待审批').waitFor();
  });
});
