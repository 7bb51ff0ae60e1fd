import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp, type App } from '../../src/server/app.ts';
import { loadConfig } from '../../src/server/config.ts';
import type { DatabaseHandle } from '../../src/server/db/database.ts';
import { DEMO_PASSWORD } from '../../src/server/demo/demo-data.ts';
import { freshDatabase, type TestDatabase } from './database.ts';
import { createSealer } from '../../src/server/shared/signing.ts';
import { CodeSource, resealDemoAuthenticators } from './second-factor.ts';

export interface TestContext {
  readonly app: App;
  readonly database: DatabaseHandle;
  /**
   * Signs in as a demo user (password DEMO_PASSWORD, then a one-time code from the demo authenticator) and returns a
   * client that sends cookie and CSRF token. The session has given its second factor: official acts go through.
   */
  as(login: string): Promise<Client>;
  /** One-time codes for this app's accounts (each step once per account, as the server wants). */
  readonly codes: CodeSource;
  /** A client with no credentials. */
  readonly anonymous: Client;
  close(): Promise<void>;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export interface Client {
  readonly login: string | null;
  request(
    method: Method,
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>;
  get(url: string): Promise<LightMyRequestResponse>;
  post(url: string, body?: unknown): Promise<LightMyRequestResponse>;
  patch(url: string, body?: unknown): Promise<LightMyRequestResponse>;
  put(url: string, body?: unknown): Promise<LightMyRequestResponse>;
  delete(url: string): Promise<LightMyRequestResponse>;
}

function client(app: App, login: string | null, headers: Record<string, string>): Client {
  const request = (method: Method, url: string, body?: unknown, extra: Record<string, string> = {}) => {
    const options: InjectOptions = { method, url, headers: { ...headers, ...extra } };
    return app.inject(
      body === undefined ? options : { ...options, payload: body as NonNullable<InjectOptions['payload']> },
    );
  };
  return {
    login,
    request,
    get: (url) => request('GET', url),
    post: (url, body) => request('POST', url, body),
    patch: (url, body) => request('PATCH', url, body),
    put: (url, body) => request('PUT', url, body),
    delete: (url) => request('DELETE', url),
  };
}

/** An app on a fresh demo database, as the server builds it, with rate limits out of the way. */
export async function startTestApp(
  env: Record<string, string> = {},
  options: {
    clock?: () => Date;
    /** More settings, made once the test's database exists (a replica URL naming it, say). */
    envOf?: (database: TestDatabase) => Promise<Record<string, string>>;
  } = {},
): Promise<TestContext> {
  const database = await freshDatabase();
  // The template's demo authenticators are sealed under the default secret: a test with its own seals them anew.
  if (env.SIGNING_KEY_SECRET) await resealDemoAuthenticators(database.db, createSealer(env.SIGNING_KEY_SECRET));
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    RATE_LIMIT_PER_MINUTE: '100000',
    LOGIN_RATE_LIMIT_PER_MINUTE: '100000',
    // A request's audit entries are sealed before it answers however slow the machine (ADR 0011): tests read them.
    AUDIT_SEAL_WAIT_MS: '30000',
    // A test file's sessions give their second factor once, at sign-in: long files must not outlive the step-up
    // window (the step-up tests set the default of 5 minutes and age the session instead).
    STEP_UP_MINUTES: '60',
    ...env,
    ...(await options.envOf?.(database)),
  });
  const app = await buildApp({ config, database, ...(options.clock ? { clock: options.clock } : {}) }).catch(
    async (error: unknown) => {
      await database.close();
      throw error;
    },
  );
  await app.ready();
  const codes = new CodeSource(database.db);
  return {
    app,
    database,
    codes,
    anonymous: client(app, null, {}),
    async as(login: string) {
      const response = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { login, password: DEMO_PASSWORD },
      });
      if (response.statusCode !== 200)
        throw new Error(`login ${login} failed: ${response.statusCode} ${response.body}`);
      const cookie = response.cookies.find((item) => item.name === 'monazite_session');
      if (!cookie) throw new Error('no session cookie');
      const { csrf_token, session_stage } = response.json<{ csrf_token: string; session_stage: string }>();
      const signedIn = client(app, login, { cookie: `monazite_session=${cookie.value}`, 'x-csrf-token': csrf_token });
      if (session_stage === 'second_factor') {
        const given = await signedIn.post('/api/v1/auth/second-factor', { code: await codes.next(login) });
        if (given.statusCode !== 200) throw new Error(`second factor of ${login} refused: ${given.body}`);
      } else if (session_stage === 'enrol') {
        // A test's own account that must have a second factor: it enrols an authenticator, as its user would.
        const started = await signedIn.post('/api/v1/auth/second-factor/enrolment');
        if (started.statusCode !== 200) throw new Error(`enrolment of ${login} refused: ${started.body}`);
        const secret = started.json<{ secret: string }>().secret;
        codes.enrolled(login, secret);
        const confirmed = await signedIn.post('/api/v1/auth/second-factor/enrolment/confirm', {
          code: await codes.next(login),
        });
        if (confirmed.statusCode !== 200) throw new Error(`enrolment of ${login} not confirmed: ${confirmed.body}`);
      } else if (session_stage !== 'full') {
        throw new Error(`login ${login} stopped at stage ${session_stage}`);
      }
      return signedIn;
    },
    async close() {
      await app.close();
      await database.close();
    },
  };
}
