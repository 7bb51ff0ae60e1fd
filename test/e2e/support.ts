import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Secret, TOTP } from 'otpauth';
import {
  chromium,
  type APIRequestContext,
  type Browser,
  type BrowserContext,
  type Page,
  type Request,
} from 'playwright-core';
import { build } from 'vite';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { buildApp, type App } from '../../src/server/app.ts';
import { loadConfig } from '../../src/server/config.ts';
import { openDatabase, type DatabaseHandle } from '../../src/server/db/database.ts';
import { migrate } from '../../src/server/db/migrate.ts';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET } from '../../src/server/demo/demo-data.ts';
import { loadDemoData } from '../../src/server/demo/demo.ts';
import { testSealer } from '../support/second-factor.ts';

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
const CHROMIUM_PATH = '/usr/bin/chromium';
export const SCREENSHOT_DIRECTORY = join(repositoryRoot, 'test-results', 'screenshots');

export interface Harness {
  readonly baseUrl: string;
  readonly browser: Browser;
  close(): Promise<void>;
}

/** Fails (never skips) when the browser is missing: a silently skipped UI test is a UI nobody tested. */
function assertChromiumInstalled(): void {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Browser tests need Chromium at ${CHROMIUM_PATH}. Install it with: apt-get install chromium fonts-noto-cjk`,
    );
  }
}

/**
 * Builds the web app from the current source into a temporary folder (so a developer's dist/web is left
 * alone), then serves it from a real server on an in-memory demo database, and opens a headless browser.
 */
export interface HarnessOptions {
  /** More data after the demo registry (e.g. the demo flows). */
  readonly load?: (database: DatabaseHandle) => Promise<unknown>;
  /** The time the server judges deadlines by. */
  readonly clock?: () => Date;
  /** Settings for the server beyond the test defaults (e.g. STEP_UP_MINUTES), as environment variables. */
  readonly env?: Readonly<Record<string, string>>;
}

const TOTP_STEP_MS = 30_000;

/** The last 30-second step whose code was used, per server and login: the server takes each step once. */
const usedSteps = new Map<string, number>();

/** The one-time code of `secret` for a time step. */
export function totpCode(secret: string, step: number): string {
  return new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: step * TOTP_STEP_MS });
}

/**
 * A one-time code the server will take for `login`: it accepts the steps now-1, now and now+1 of the wall clock
 * (a test's fixed clock is for deadlines only), each once and only later than the last it took. So the earliest
 * step in that window not yet used (never one about to leave it); when all three are used, wait for the next step.
 */
export async function nextCode(origin: string, login: string, secret = DEMO_TOTP_SECRET): Promise<string> {
  const key = `${new URL(origin).origin}|${login}`;
  for (;;) {
    const now = Date.now();
    const step = Math.floor(now / TOTP_STEP_MS);
    // Step now-1 with under 3 s left would be now-2 by the time the server reads it.
    const earliest = now - step * TOTP_STEP_MS > TOTP_STEP_MS - 3_000 ? step : step - 1;
    const candidate = Math.max(earliest, (usedSteps.get(key) ?? Number.NEGATIVE_INFINITY) + 1);
    if (candidate <= step + 1) {
      usedSteps.set(key, candidate);
      return totpCode(secret, candidate);
    }
    await new Promise((resolve) => setTimeout(resolve, (step + 1) * TOTP_STEP_MS - now + 100));
  }
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  assertChromiumInstalled();
  const webRoot = await mkdtemp(join(tmpdir(), 'monazite-e2e-web-'));
  await build({
    configFile: join(repositoryRoot, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: webRoot, emptyOutDir: true },
  });
  let database: DatabaseHandle | undefined;
  let app: App | undefined;
  let browser: Browser | undefined;
  try {
    database = await openDatabase({ pgliteDataDir: 'memory://' });
    await migrate(database.db);
    await loadDemoData(database.db, testSealer());
    await options.load?.(database);
    app = await buildApp({
      config: loadConfig({ LOG_LEVEL: 'silent', PORT: '0', ...options.env }),
      database,
      webRoot,
      ...(options.clock ? { clock: options.clock } : {}),
    });
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    await mkdir(SCREENSHOT_DIRECTORY, { recursive: true });
    const opened = { app, database, browser };
    return {
      baseUrl: address,
      browser,
      async close() {
        await opened.browser.close();
        await opened.app.close();
        await opened.database.close();
        await rm(webRoot, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await browser?.close();
    await app?.close();
    await database?.close();
    await rm(webRoot, { recursive: true, force: true });
    throw error;
  }
}

export interface Visitor {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Uncaught errors and console errors in the page: bugs whatever the test checks, so it must stay empty. */
  readonly pageErrors: Error[];
}

const E2E_WAIT_MS = 60_000;

const contextOrigins = new WeakMap<BrowserContext, string>();

/** The server a page talks to: where it is, or (a page not yet opened) its browser context's base address. */
export function originOf(page: Page): string {
  const url = page.url();
  if (url.startsWith('http')) return new URL(url).origin;
  const origin = contextOrigins.get(page.context());
  if (!origin) throw new Error('the page has no server address yet');
  return origin;
}

/** A fresh browser profile: no cookies, no stored language, so every test starts as a new visitor. */
export async function newVisitor(harness: Harness): Promise<Visitor> {
  const context = await harness.browser.newContext({
    baseURL: harness.baseUrl,
    viewport: { width: 1440, height: 900 },
    locale: 'zh-CN',
    // No animations: a click on a popup that is still sliding in is lost on a loaded machine (the app honours it).
    reducedMotion: 'reduce',
  });
  contextOrigins.set(context, new URL(harness.baseUrl).origin);
  // The browser suite shares two cores with the database suites in CI: a wait gets 60 s of the test's 90.
  context.setDefaultTimeout(E2E_WAIT_MS);
  const page = await context.newPage();
  const pageErrors: Error[] = [];
  trackRequests(page);
  page.on('pageerror', (error) => pageErrors.push(error));
  // Console errors count too (a CSP refusal, a React error), except the browser's note on every non-2xx
  // answer: tests provoke those on purpose (401 before sign-in, 409 on a taken credit code).
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      pageErrors.push(new Error(`console: ${message.text()}`));
    }
  });
  return { context, page, pageErrors };
}

/**
 * Signs in through the sign-in page: the password, then (for an account with a second factor) the one-time code
 * of the demo secret. Returns once the page has answered the password: the app, a refusal, an enrolment or a
 * password change (for those the test carries on itself).
 */
export async function signIn(page: Page, login: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto('/login');
  await page.locator('#login').fill(login);
  await page.locator('#password').fill(password);
  await page.locator('button[type="submit"]').click();
  const codeStep = page.getByTestId('second-factor-step');
  await codeStep
    .or(page.getByTestId('problem'))
    .or(page.getByTestId('user-name'))
    .or(page.getByTestId('enrolment'))
    .or(page.getByTestId('password-change-step'))
    .first()
    .waitFor();
  if (await codeStep.isVisible()) await giveCode(page, login);
}

/** Types the next one-time code into the code step; a code the server refuses (a step boundary passed) is retried. */
async function giveCode(page: Page, login: string): Promise<void> {
  const codeStep = page.getByTestId('second-factor-step');
  for (let attempt = 1; ; attempt += 1) {
    await page.locator('#second_factor_code').fill(await nextCode(originOf(page), login));
    await codeStep.locator('button[type="submit"]').click();
    const refused = codeStep.locator('.ant-form-item-explain-error');
    await refused
      .or(page.getByTestId('user-name'))
      .or(page.getByTestId('password-change-step'))
      .or(page.getByTestId('problem'))
      .first()
      .waitFor();
    if (!(await refused.isVisible()) || attempt === 3) return;
  }
}
/**
 * On the enrolment step (an account that must have a second factor and has none): reads the secret off the
 * page as a person would type it into an app, confirms with that app's code, and keeps the recovery codes.
 * Answers the secret and the recovery codes; the page is then in the app.
 */
export async function enrolAuthenticator(
  page: Page,
  login: string,
  /** Runs while the recovery codes are shown (e.g. a screenshot). */
  whileCodesShown?: () => Promise<void>,
): Promise<{ secret: string; recoveryCodes: string[] }> {
  const enrolment = page.getByTestId('enrolment');
  await enrolment.getByTestId('enrol-qr').waitFor();
  const secret = ((await enrolment.getByTestId('enrol-secret').textContent()) ?? '').replace(/\s+/g, '');
  await page.locator('#enrol_code').fill(await nextCode(originOf(page), login, secret));
  await enrolment.locator('button[type="submit"]').click();
  const codes = page.getByTestId('recovery-codes');
  await codes.waitFor();
  const recoveryCodes = (await codes.getByTestId('recovery-code').allTextContents()).map((code) => code.trim());
  await whileCodesShown?.();
  await codes.getByRole('checkbox').check();
  await codes.getByRole('button', { name: /继\s*续/ }).click();
  await page.getByTestId('user-name').waitFor();
  return { secret, recoveryCodes };
}

/** What the API answers about the session (the fields the tests use). */
export interface ApiSession {
  readonly csrf_token: string;
  readonly enterprise_id: string | null;
  readonly session_stage: string;
}

/**
 * Signs `login` in through the API in `context`'s cookie jar: the password, then the next one-time code when
 * the account has a second factor. Answers the session (with its CSRF token).
 */
export async function apiSignIn(
  context: APIRequestContext,
  origin: string,
  login: string,
  password = DEMO_PASSWORD,
): Promise<ApiSession> {
  const signedIn = await context.post(`${origin}/api/v1/auth/login`, { data: { login, password } });
  expect(signedIn.status(), await signedIn.text()).toBe(200);
  let session = (await signedIn.json()) as ApiSession;
  for (let attempt = 1; session.session_stage === 'second_factor'; attempt += 1) {
    const answer = await context.post(`${origin}/api/v1/auth/second-factor`, {
      data: { code: await nextCode(origin, login) },
      headers: { 'x-csrf-token': session.csrf_token },
    });
    // A code refused as a step boundary passed: the next one.
    if (answer.status() === 401 && attempt < 3) continue;
    expect(answer.ok(), await answer.text()).toBe(true);
    const me = await context.get(`${origin}/api/v1/auth/me`);
    expect(me.ok(), await me.text()).toBe(true);
    session = (await me.json()) as ApiSession;
  }
  return session;
}

/** Signs in and waits until the app shell shows the user's name. */
export async function signInAndWait(page: Page, login: string, displayName: string): Promise<void> {
  await signIn(page, login);
  await page.getByTestId('user-name').filter({ hasText: displayName }).waitFor();
}

// Requests each page has in flight. Playwright's 'networkidle' load state fires once after the first
// load; a single-page app fetches long after that, so the tests count requests themselves.
const inFlight = new WeakMap<Page, Set<Request>>();

function trackRequests(page: Page): void {
  const pending = new Set<Request>();
  inFlight.set(page, pending);
  page.on('request', (request) => pending.add(request));
  page.on('requestfinished', (request) => pending.delete(request));
  page.on('requestfailed', (request) => pending.delete(request));
}

/** Resolves once no request has been in flight for a short while (or after `timeoutMs`, whatever is pending). */
export async function waitForNetworkIdle(page: Page, quietMs = 300, timeoutMs = 10_000): Promise<void> {
  const pending = inFlight.get(page);
  if (!pending) return;
  const deadline = Date.now() + timeoutMs;
  let quietSince = pending.size === 0 ? Date.now() : Number.POSITIVE_INFINITY;
  while (Date.now() < deadline) {
    if (pending.size > 0) quietSince = Number.POSITIVE_INFINITY;
    else if (quietSince === Number.POSITIVE_INFINITY) quietSince = Date.now();
    else if (Date.now() - quietSince >= quietMs) return;
    await page.waitForTimeout(50);
  }
}

/** Waits for the network to go quiet and table spinners to stop, then saves a full-page picture. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await waitForNetworkIdle(page);
  await page.locator('.ant-spin-spinning').first().waitFor({ state: 'detached', timeout: 10_000 });
  await page.screenshot({ path: join(SCREENSHOT_DIRECTORY, `${name}.png`), fullPage: true });
}

/** A link of the side menu (the page body may link to the same place). */
export function menuLink(page: Page, name: string) {
  return page.getByRole('menu').getByRole('link', { name, exact: true });
}

export async function openMenu(page: Page, name: string): Promise<void> {
  await menuLink(page, name).click();
}

/** The rows of the first data table on the page (antd adds a hidden measure row, which is left out). */
export function tableRows(page: Page) {
  return page.locator('.ant-table-tbody > tr.ant-table-row');
}

/**
 * Registers the hooks of a browser test file: one harness for the file, a fresh visitor per test, and
 * a check after each test that the page threw no uncaught error.
 */
export function useBrowser(options: HarnessOptions = {}): { visit: () => Promise<Visitor> } {
  let harness: Harness | undefined;
  let visitor: Visitor | undefined;

  beforeAll(async () => {
    harness = await startHarness(options);
  }, 240_000);

  afterAll(async () => {
    await harness?.close();
  });

  afterEach(async (context) => {
    const errors = visitor?.pageErrors ?? [];
    // What the page looked like when a test failed is the quickest way to see why.
    if (visitor && context.task.result?.state === 'fail') {
      const name = context.task.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
      await visitor.page
        .screenshot({ path: join(SCREENSHOT_DIRECTORY, `failed-${name}.png`), fullPage: true })
        .catch(() => undefined);
    }
    await visitor?.context.close();
    visitor = undefined;
    expect(errors.map((error) => error.message)).toEqual([]);
  });

  return {
    async visit() {
      if (!harness) throw new Error('the browser harness did not start');
      visitor = await newVisitor(harness);
      return visitor;
    },
  };
}
