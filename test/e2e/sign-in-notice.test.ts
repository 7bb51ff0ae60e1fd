import { describe, expect, test } from 'vitest';
import { screenshot, signIn, signInAndWait, useBrowser } from './support.ts';

/**
 * Failed sign-ins slow down only the address they come from (issue 12, item 7); the account's user hears of
 * them after signing in, on the first page, in Chinese or English.
 */
describe('the notice of failed sign-ins', () => {
  const { visit } = useBrowser();

  test('after two failed attempts, the user signing in is told how many, when and from where, and can close it', async () => {
    const { page } = await visit();
    for (const guess of ['not-the-password-1', 'not-the-password-2']) {
      await signIn(page, 'ndrc', guess);
      await page.getByTestId('problem').getByText('用户名或密码错误').waitFor();
    }
    await signInAndWait(page, 'ndrc', '国家发展改革委 赵处长');
    const notice = page.getByTestId('failed-sign-ins');
    await notice.getByText('自您上次登录以来，您的账户有 2 次登录失败').waitFor();
    await expect.poll(() => notice.textContent()).toContain('127.0.0.1');
    await screenshot(page, 'failed-sign-ins-zh');

    await page.getByText('English', { exact: true }).click();
    await notice.getByText('There were 2 failed sign-ins to your account since you last signed in').waitFor();
    await screenshot(page, 'failed-sign-ins-en');

    await notice.getByRole('button', { name: /close/i }).click();
    await notice.waitFor({ state: 'detached' });
  });

  test('a sign-in with nothing to tell shows no notice', async () => {
    const { page } = await visit();
    await signInAndWait(page, 'mnr', '自然资源部 陈处长');
    await page.getByTestId('user-name').waitFor();
    expect(await page.getByTestId('failed-sign-ins').count()).toBe(0);
  });
});
