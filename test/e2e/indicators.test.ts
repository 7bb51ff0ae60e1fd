import { describe, expect, test } from 'vitest';
import { apiAs, batchStatus, buttonName, displayName, memo, published, switchUser } from './indicators-steps.ts';
import { openMenu, screenshot, signInAndWait, tableRows, useBrowser } from './support.ts';

/**
 * The 2024 first batch through the web app: drafted by MIIT, co-signed by MNR and NDRC, approved by a
 * second MIIT official, allocated to the groups by hand from the published figures, approved by MNR and
 * issued; then a what-if comparison, the province's notice and an enterprise's quota. The tests of this
 * file build on each other, in order.
 */
describe.sequential('indicators and allocation in the web app', () => {
  const { visit } = useBrowser();
  const runPaths: string[] = [];

  test('ministries draft, co-sign, submit and approve the 2024 first batch', async () => {
    const { page } = await visit();
    await signInAndWait(page, 'miit', displayName('miit'));
    await openMenu(page, '总量控制指标');
    await page.getByRole('button', { name: '新建年度计划' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.locator('#year').fill('2024');
    for (const [field, text] of Object.entries(memo)) await dialog.locator(`#memo_${field}`).fill(text);
    await screenshot(page, 'indicators-plan-create-zh');
    await dialog.getByRole('button', { name: buttonName('保存') }).click();
    await page.getByRole('heading', { name: '2024 年度总量控制指标' }).waitFor();

    await page.getByRole('button', { name: '新增批次' }).click();
    await dialog.locator('#name').fill('第一批');
    for (const [category, figures] of Object.entries(published)) {
      await dialog.locator(`#tonnes_${category}`).fill(figures.total);
    }
    await dialog.getByRole('button', { name: buttonName('保存') }).click();
    const card = page.getByTestId('batch-1');
    await card.getByText('124,860', { exact: true }).waitFor();
    await card.getByText('262,000', { exact: true }).waitFor();
    expect(await batchStatus(page).textContent()).toBe('草拟');

    // Editing a draft warns that co-signatures will be cleared.
    await card.getByRole('button', { name: '修改总量' }).click();
    await dialog.getByText(/将清除已有的会签/).waitFor();
    expect(await dialog.locator('#tonnes_mining_rock').inputValue()).toBe('124860');
    await screenshot(page, 'indicators-batch-edit-zh');
    await dialog.getByRole('button', { name: buttonName('取消') }).click();
    await screenshot(page, 'indicators-plan-draft-zh');

    for (const [login, authority] of [
      ['mnr', '自然资源部'],
      ['ndrc', '国家发展和改革委员会'],
    ] as const) {
      await switchUser(page, login);
      await page.goto('/indicators/2024');
      await card.getByRole('button', { name: buttonName('会签') }).click();
      await page.getByTestId('cosigns').getByText(authority).waitFor();
    }
    await expect.poll(() => batchStatus(page).textContent()).toBe('已会签');
    await screenshot(page, 'indicators-plan-cosigned-zh');

    await switchUser(page, 'miit');
    await openMenu(page, '总量控制指标');
    await tableRows(page).getByText('已会签').waitFor();
    await screenshot(page, 'indicators-plans-zh');
    await page.getByRole('link', { name: '2024 年' }).click();
    await card.getByRole('button', { name: '报送国务院' }).click();
    await expect.poll(() => batchStatus(page).textContent()).toBe('已报送国务院');

    // The drafter may not record the approval of its own batch: the server's 403 is shown.
    await card.getByRole('button', { name: '登记批准' }).click();
    await dialog.locator('#approval_document_no').fill('国函〔2024〕12号');
    await dialog.locator('#approval_date').fill('2024-02-06');
    await dialog.getByRole('button', { name: '登记批准' }).click();
    await dialog.getByTestId('problem').waitFor();
    await screenshot(page, 'indicators-approve-by-drafter-zh');
    await dialog.getByRole('button', { name: buttonName('取消') }).click();

    await switchUser(page, 'miit.review');
    await page.goto('/indicators/2024');
    await card.getByRole('button', { name: '登记批准' }).click();
    await dialog.locator('#approval_document_no').fill('国函〔2024〕12号');
    await dialog.locator('#approval_date').fill('2024-02-06');
    await dialog.getByRole('button', { name: '登记批准' }).click();
    await expect.poll(() => batchStatus(page).textContent()).toBe('已批准');
    await card.getByText('国函〔2024〕12号').waitFor();
    await screenshot(page, 'indicators-plan-approved-zh');
  });

  test('MIIT allocates each category by hand, MNR approves and MIIT issues', async () => {
    const { page } = await visit();
    await signInAndWait(page, 'miit', displayName('miit'));
    for (const [category, figures] of Object.entries(published)) {
      await openMenu(page, '指标分配');
      await page.getByText(figures.label, { exact: true }).click();
      await page.getByRole('button', { name: '手工分配' }).click();
      await page.getByTestId('share-group:china-re').waitFor();
      if (figures.northern) await page.getByTestId('share-group:northern').fill(figures.northern);
      if (category === 'mining_rock') {
        // Short by China Rare Earth's share: the server names the shortfall.
        await page.getByTestId('manual-difference').getByText('−30,280').waitFor();
        await page.getByRole('button', { name: '提出分配方案' }).click();
        await page
          .getByTestId('problem')
          .getByText(/short by 30280000 kg/)
          .first()
          .waitFor();
        await screenshot(page, 'allocation-manual-short-zh');
      }
      await page.getByTestId('share-group:china-re').fill(figures.chinaRe);
      await page.getByTestId('manual-difference').getByText('合计与总量一致').waitFor();
      // The published figures are not the engine's: without a reason the server names the field.
      const reason = page.getByTestId('manual-reason');
      await reason.waitFor();
      if (category === 'mining_rock') {
        await page.getByRole('button', { name: '提出分配方案' }).click();
        await reason.getByText(/is required/).waitFor();
      }
      await reason.locator('textarea').fill('按国务院批复的2024年第一批指标下达');
      if (category === 'mining_rock') await screenshot(page, 'allocation-manual-zh');
      await page.getByRole('button', { name: '提出分配方案' }).click();
      await page.waitForURL('**/allocation/runs/**');
      await page.getByTestId('run-status').getByText('待审核').waitFor();
      runPaths.push(new URL(page.url()).pathname);
    }
    // The proposer cannot approve its own run.
    await page.getByRole('button', { name: '审核通过' }).click();
    await page.getByTestId('problem').waitFor();
    await screenshot(page, 'allocation-run-proposed-zh');

    await switchUser(page, 'mnr');
    for (const path of runPaths) {
      await page.goto(path);
      await page.getByRole('button', { name: '审核通过' }).click();
      await page.getByTestId('run-status').getByText('已审核').waitFor();
    }
    await switchUser(page, 'miit');
    for (const path of runPaths) {
      await page.goto(path);
      await page.getByRole('button', { name: buttonName('下达') }).click();
      await page.getByTestId('run-status').getByText('已下达').waitFor();
      await page.getByTestId('receipts').waitFor();
    }
    await page.goto(runPaths[0] ?? '/');
    await page.getByText('94,580', { exact: true }).waitFor();
    await page.getByTestId('run-reason').getByText('按国务院批复的2024年第一批指标下达').waitFor();
    await page.locator('.ant-table-row-expand-icon').first().click();
    await page.getByTestId('share-explanation').first().waitFor();
    await screenshot(page, 'allocation-run-issued-zh');

    await openMenu(page, '指标分配');
    // The category is a radio of the allocation form; the run page just left may still show the same label.
    await page.locator('form').getByText(published.mining_rock.label, { exact: true }).click();
    await expect.poll(() => tableRows(page).count()).toBe(3);
    await screenshot(page, 'allocation-zh');
  });

  test('MIIT compares two what-if scenarios', async () => {
    const { page } = await visit();
    await signInAndWait(page, 'miit', displayName('miit'));
    await openMenu(page, '分配测算');
    await page.getByText(published.mining_rock.label, { exact: true }).click();
    await page.getByRole('button', { name: '载入数据' }).click();
    await page.getByTestId('scenario-A').waitFor();
    await page.getByRole('tab', { name: '方案 B' }).click();
    await page.locator('#scenario-B-total').fill('130000');
    await page.locator('#scenario-B-weight-capacity').fill('100');
    await page.getByRole('button', { name: buttonName('测算') }).click();
    await page.getByTestId('scenario-B').locator('.numeric').first().waitFor();
    await page.getByRole('button', { name: '比较方案 A 与 B' }).click();
    const comparison = page.getByTestId('comparison');
    await comparison.locator('canvas').waitFor();
    expect(await comparison.locator('tr.ant-table-row').count()).toBeGreaterThan(1);
    await screenshot(page, 'allocation-what-if-zh');
  });

  test('the province forwards its notice after the group sub-allocates; the mine sees its quota', async () => {
    const { page } = await visit();
    // The group's sub-allocation by the engine, through the API to save time.
    const miit = await apiAs(page, 'miit');
    const plan = await miit.get<{ batches: { id: string }[] }>('/indicator-plans/2024');
    const batchId = plan.batches[0]?.id;
    const run = await miit<{ id: string }>('/allocation-runs', {
      mode: 'engine',
      batch_id: batchId,
      category: 'mining_rock',
      level: 'group',
      group_id: 'northern',
    });
    const mnr = await apiAs(page, 'mnr');
    await mnr(`/allocation-runs/${run.id}/approve`);
    await miit(`/allocation-runs/${run.id}/issue`);

    await signInAndWait(page, 'nmg.iit', displayName('nmg.iit'));
    await openMenu(page, '下达通知');
    const notice = page.getByTestId('notice');
    await notice.first().waitFor();
    await screenshot(page, 'notices-province-zh');
    await notice.first().getByRole('button', { name: '转发至县级部门' }).click();
    await page.getByText(/已转发至 \d+ 个县级部门/).waitFor();
    await notice.first().getByText(buttonName('已读')).waitFor();

    await switchUser(page, 'miit');
    await page.goto(`/allocation/runs/${run.id}`);
    const receipts = page.getByTestId('receipts');
    await receipts.getByText('转发', { exact: true }).first().waitFor();
    await screenshot(page, 'allocation-receipts-zh');

    await switchUser(page, 'ent.bayan');
    await openMenu(page, '配额台账');
    await page.locator('#quota-year').fill('2024');
    await page.getByTestId('quota-mining_rock').waitFor();
    await page.locator('[data-testid="echart"] canvas').waitFor();
    expect(await tableRows(page).count()).toBeGreaterThan(0);
    await screenshot(page, 'quota-enterprise-zh');

    await openMenu(page, '下达通知');
    await notice.first().getByRole('button', { name: '标记已读' }).click();
    await notice.first().getByText(buttonName('已读')).waitFor();
    await screenshot(page, 'notices-enterprise-zh');
    // MIIT signs in for the fifth time in two minutes: the server takes one of its one-time codes per 30 seconds.
  }, 150_000);
});
