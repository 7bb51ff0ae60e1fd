import { request, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { demoUsers } from '../../src/server/demo/demo-data.ts';
import { apiSignIn, originOf, signInAndWait } from './support.ts';

/** The published 2024 first batch (test/fixtures/allocation-2024-batch1.csv), tonnes REO by group. */
export const published = {
  mining_rock: { label: '岩矿型稀土开采', northern: '94580', chinaRe: '30280', total: '124860' },
  mining_ion_adsorption: { label: '离子型稀土开采', northern: '', chinaRe: '10140', total: '10140' },
  separation: { label: '冶炼分离', northern: '88010', chinaRe: '38990', total: '127000' },
} as const;

export const memo = {
  economic_goals: '稳增长，保障战略性新兴产业需求',
  reserves_and_variety: '轻稀土为主，中重稀土从严控制',
  industry_development: '推动集约化、绿色化发展',
  ecological_protection: '离子型稀土矿区生态修复',
  market_demand: '新能源汽车、风电对高性能磁材需求增长',
};

export function displayName(login: string): string {
  const user = demoUsers.find((item) => item.login === login);
  if (!user) throw new Error(`demo data has no user "${login}"`);
  return user.display_name;
}

/** antd puts a space between the two characters of a two-character Chinese label (an icon may precede it). */
export function buttonName(label: string): RegExp {
  return new RegExp([...label].join('\\s*'));
}

/** Signs out through the header and in again as someone else. */
export async function switchUser(page: Page, login: string): Promise<void> {
  await page.getByRole('button', { name: '退出登录' }).click();
  await page.waitForURL('**/login');
  await signInAndWait(page, login, displayName(login));
}

/**
 * The API as `login`, in a cookie jar of its own (ended with the browser context), for steps the test does not
 * drive through the UI. Its own jar lets a test keep one session per account instead of signing in again: each
 * sign-in spends one of the account's one-time codes, of which the server takes one per 30 seconds.
 */
export async function apiAs(page: Page, login: string) {
  const origin = originOf(page);
  const context = await request.newContext({ baseURL: origin });
  page.context().once('close', () => void context.dispose());
  const { csrf_token: csrfToken } = await apiSignIn(context, origin, login);
  const post = async <T>(path: string, data: unknown = {}): Promise<T> => {
    const response = await context.post(`/api/v1${path}`, { data, headers: { 'x-csrf-token': csrfToken } });
    expect(response.ok(), await response.text()).toBe(true);
    return (await response.json()) as T;
  };
  const get = async <T>(path: string): Promise<T> => {
    const response = await context.get(`/api/v1${path}`);
    expect(response.ok(), await response.text()).toBe(true);
    return (await response.json()) as T;
  };
  return Object.assign(post, { get });
}

/** The text of a batch's status tag on the plan page. */
export function batchStatus(page: Page) {
  return page.getByTestId('batch-1').getByTestId('batch-status');
}
