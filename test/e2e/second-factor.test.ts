import { request, type Page } from 'playwright-core';
import { sql } from 'kysely';
import { describe, expect, test } from 'vitest';
import type { DatabaseHandle } from '../../src/server/db/database.ts';
import { DEMO_PASSWORD } from '../../src/server/demo/demo-data.ts';
import { displayName, memo } from './indicators-steps.ts';
import {
  apiSignIn,
  originOf,
  enrolAuthenticator,
  nextCode,
  openMenu,
  screenshot,
  signIn,
  signInAndWait,
  tableRows,
  useBrowser,
} from './support.ts';

/** An MNR official whose authenticator was never set up: the sign-in takes them through enrolment. */
const NEW_TO_CODES = 'mnr';

/**
 * Issue 25 in the browser: an official without a second factor is taken through enrolment (QR code, secret,
 * confirming code, recovery codes), then co-signs an indicator batch and meets the step-up dialog; a recovery code
 * signs in in place of a code; the sessions page lists the user's sessions and signs the others out.
 */
describe.sequential('the second factor in the web app', () => {
  let database: DatabaseHandle | undefined;
  let secret = '';
  let recoveryCodes: string[] = [];
  const { visit } = useBrowser({
    load: async (handle) => {
      database = handle;
      await sql`update app_user set totp_secret_sealed = null, totp_enrolled_at = null, totp_last_step = null
        where login = ${NEW_TO_CODES}`.execute(handle.db);
      await sql`delete from recovery_code where user_id = (select id from app_user where login = ${NEW_TO_CODES})`.execute(
        handle.db,
      );
    },
  });

  /** The API as `login` in a cookie jar of its own (the browser stays as it is). */
  async function apiAs(page: Page, login: string) {
    const origin = originOf(page);
    const context = await request.newContext({ baseURL: origin });
    const session = await apiSignIn(context, origin, login);
    return {
      context,
      async post<T>(path: string, data: unknown = {}): Promise<T> {
        const response = await context.post(`/api/v1${path}`, {
          data,
          headers: { 'x-csrf-token': session.csrf_token },
        });
        expect(response.ok(), await response.text()).toBe(true);
        return (await response.json()) as T;
      },
    };
  }

  test('an official with no authenticator enrols at sign-in, then co-signs a batch after the step-up dialog', async () => {
    const { page } = await visit();
    await page.goto('/login');
    // MIIT drafts the plan and its batch through the API.
    const miit = await apiAs(page, 'miit');
    await miit.post('/indicator-plans', {
      year: 2024,
      memo,
      weights: { capacity: 40, technical: 20, environment: 20, safety: 20 },
      penalty_reduction_ppm: 100_000,
    });
    await miit.post('/indicator-plans/2024/batches', {
      name: '第一批',
      totals: [{ category: 'mining_rock', total_reo_kg: 124_860_000 }],
    });
    await miit.context.dispose();

    // The demo hint tells a visitor the demo accounts' code.
    await page
      .getByTestId('demo-hint')
      .getByText(/演示环境：演示账户的动态口令为 \d{6}/)
      .waitFor();
    await signIn(page, NEW_TO_CODES);
    const enrolment = page.getByTestId('enrolment');
    await enrolment.getByTestId('enrol-qr').waitFor();
    await page.getByText('绑定身份验证器').first().waitFor();
    await screenshot(page, 'second-factor-enrol-zh');
    // A wrong code is told on the field, in Chinese.
    await page.locator('#enrol_code').fill('000000');
    await enrolment.locator('button[type="submit"]').click();
    await enrolment.getByText('动态口令错误、已过期或已使用').waitFor();

    const enrolled = await enrolAuthenticator(page, NEW_TO_CODES, () =>
      screenshot(page, 'second-factor-recovery-codes-zh'),
    );
    secret = enrolled.secret;
    recoveryCodes = enrolled.recoveryCodes;
    expect(recoveryCodes).toHaveLength(10);
    await page
      .getByTestId('user-name')
      .filter({ hasText: displayName(NEW_TO_CODES) })
      .waitFor();

    // The code given at sign-in is too old for an official act (as it would be after a while).
    await ageSecondFactor(NEW_TO_CODES);
    await page.goto('/indicators/2024');
    const card = page.getByTestId('batch-1');
    await card.getByRole('button', { name: /会\s*签/ }).click();
    const stepUp = page.getByTestId('step-up');
    await page.getByRole('dialog', { name: '请输入动态口令以确认此操作' }).waitFor();
    await screenshot(page, 'second-factor-step-up-zh');
    await page.locator('#step_up_code').fill(await nextCode(originOf(page), NEW_TO_CODES, secret));
    await stepUp.locator('button[type="submit"]').click();
    await stepUp.waitFor({ state: 'detached' });
    // The co-signature went through once the code was given, without a second click.
    await page.getByTestId('cosigns').getByText('自然资源部').waitFor();
  });

  test('a recovery code signs in in place of a code, once', async () => {
    const { page } = await visit();
    await page.goto('/login');
    await page.locator('#login').fill(NEW_TO_CODES);
    await page.locator('#password').fill(DEMO_PASSWORD);
    await page.locator('button[type="submit"]').click();
    const step = page.getByTestId('second-factor-step');
    await step.waitFor();
    await step.getByRole('button', { name: '使用恢复码' }).click();
    await page.locator('#second_factor_recovery_code').fill(recoveryCodes[0] ?? '');
    await step.locator('button[type="submit"]').click();
    await page
      .getByTestId('user-name')
      .filter({ hasText: displayName(NEW_TO_CODES) })
      .waitFor();

    await openMenu(page, '账户安全');
    await page.getByTestId('recovery-codes-left').getByText('9 个').waitFor();
    await page.getByTestId('second-factor-card').getByText('已绑定').waitFor();
    await screenshot(page, 'account-security-zh');
  });

  test('the sessions page lists two sessions and signs the other out', async () => {
    const { page } = await visit();
    await signInAndWait(page, 'ndrc', displayName('ndrc'));
    const origin = originOf(page);
    const other = await request.newContext({ baseURL: origin });
    try {
      await apiSignIn(other, origin, 'ndrc');
      await openMenu(page, '账户安全');
      const sessions = page.getByTestId('sessions-card');
      await tableRows(page).nth(1).waitFor();
      expect(await tableRows(page).count()).toBe(2);
      await tableRows(page).filter({ hasText: '当前会话' }).waitFor();
      await screenshot(page, 'account-sessions-zh');

      await tableRows(page)
        .filter({ hasNotText: '当前会话' })
        .getByRole('button', { name: /退\s*出/ })
        .click();
      await page
        .locator('.ant-popconfirm')
        .getByRole('button', { name: /退\s*出/ })
        .click();
      await tableRows(page).nth(1).waitFor({ state: 'detached' });
      expect(await tableRows(page).count()).toBe(1);
      expect((await other.get('/api/v1/auth/me')).status()).toBe(401);

      // Sign in elsewhere again, then sign out every other session at once.
      await apiSignIn(other, origin, 'ndrc');
      await page.reload();
      await tableRows(page).nth(1).waitFor();
      expect(await tableRows(page).count()).toBe(2);
      await sessions.getByRole('button', { name: '退出其他所有会话' }).click();
      await page.locator('.ant-popconfirm').getByRole('button', { name: '退出其他所有会话' }).click();
      await page.getByText('已退出 1 个其他会话').waitFor();
      await tableRows(page).nth(1).waitFor({ state: 'detached' });
      expect(await tableRows(page).count()).toBe(1);
      expect((await other.get('/api/v1/auth/me')).status()).toBe(401);

      // A wrong current password is told on its field.
      const password = page.getByTestId('password-card');
      await password.locator('#password_change_current_password').fill('not-the-password');
      await password.locator('#password_change_new_password').fill('Another-Long-Pass-2026');
      await password.locator('#password_change_repeat').fill('Another-Long-Pass-2026');
      await password.locator('button[type="submit"]').click();
      await password.locator('.ant-form-item-explain-error').getByText('当前密码错误').waitFor();
    } finally {
      await other.dispose();
    }
  });

  test('the operator resets lost authenticators: an enterprise user at once, an official once another approves', async () => {
    const operator = await visit();
    await signInAndWait(operator.page, 'operator', '系统运维');
    await openMenu(operator.page, '用户管理');
    const reset = async (login: string) => {
      await tableRows(operator.page)
        .filter({ has: operator.page.getByText(login, { exact: true }) })
        .getByRole('button', { name: '重置动态口令' })
        .click();
      const dialog = operator.page.getByRole('dialog');
      await dialog.getByText(/清除该账户的身份验证器和恢复码/).waitFor();
      return dialog;
    };
    const enterprise = await reset('ent.dingnan');
    await enterprise.getByText('重置立即生效。').waitFor();
    await enterprise.getByRole('button', { name: '重置动态口令' }).click();
    await operator.page.getByText('已重置动态口令').waitFor();

    const official = await reset('miit');
    await official.getByText(/重置将作为申请提交/).waitFor();
    await screenshot(operator.page, 'users-reset-second-factor-zh');
    await official.getByRole('button', { name: '重置动态口令' }).click();
    await operator.page.getByText('已提交审批，批准后生效').waitFor();
    await tableRows(operator.page)
      .filter({ has: operator.page.getByText('miit', { exact: true }) })
      .getByText('重置待审批')
      .waitFor();
    await operator.context.close();

    // A second MIIT official approves; MIIT's next sign-in sets up a new authenticator.
    const reviewer = await visit();
    await signInAndWait(reviewer.page, 'miit.review', displayName('miit.review'));
    await openMenu(reviewer.page, '待审批账号');
    const row = tableRows(reviewer.page).filter({ hasText: '重置动态口令' });
    await row.getByRole('button', { name: /批\s*准/ }).click();
    await reviewer.page.getByText(/批准后将清除该账户的动态口令和恢复码/).waitFor();
    await reviewer.page
      .locator('.ant-popconfirm')
      .getByRole('button', { name: /批\s*准/ })
      .click();
    await reviewer.page.getByText('没有待审批的账号').waitFor();
    await reviewer.context.close();

    const miit = await visit();
    await signIn(miit.page, 'miit');
    await miit.page.getByTestId('enrolment').getByTestId('enrol-qr').waitFor();
  });

  /** As if the session's last code were given an hour ago. */
  async function ageSecondFactor(login: string): Promise<void> {
    if (!database) throw new Error('no database');
    await sql`update user_session set second_factor_at = now() - interval '1 hour'
      where user_id = (select id from app_user where login = ${login})`.execute(database.db);
    // A session the server remembers for a moment (TOKEN_CACHE_MS) is read again after that.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
  }
});
