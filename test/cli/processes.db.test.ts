import { randomUUID } from 'node:crypto';
import { get } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/server/demo/demo-data.ts';
import { CodeSource } from '../support/second-factor.ts';
import { freshDatabase, testEngine, type TestDatabase } from '../support/database.ts';
import { freePort, isAlive, runCli, startServe, type ServerProcess } from './cli-helpers.ts';

/**
 * The API tier as several processes on one PostgreSQL (issue 22, item 3): they share nothing in memory, so sessions,
 * rate limits, sign-in throttling and idempotency keys must hold across them. On PGlite the embedded database
 * belongs to one process: more than one worker is refused at start.
 */

const running: ServerProcess[] = [];

async function stopAll(): Promise<void> {
  for (const server of running.splice(0)) {
    if (server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  }
}

async function serve(env: Record<string, string>): Promise<{ server: ServerProcess; url: string }> {
  const port = await freePort();
  const server = startServe({ PORT: String(port), HOST: '127.0.0.1', DEMO_DATA: 'false', ...env });
  running.push(server);
  await server.waitFor(/Monazite is running at/);
  return { server, url: `http://127.0.0.1:${port}` };
}

/** GET /healthz on a connection of its own (a kept-alive one could lead to a worker that was killed). */
function health(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/healthz', agent: false }, (response) => {
      response.resume();
      response.once('end', () => resolve(response.statusCode ?? 0));
    }).once('error', reject);
  });
}

async function signIn(url: string, login: string, password = DEMO_PASSWORD) {
  return fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login, password }),
  });
}

if (testEngine === 'pglite')
  describe('several server processes on PGlite', () => {
    it('refuses WORKERS above 1 and RATE_LIMIT_STORE=database, saying why in Chinese, before opening anything', async () => {
      const workers = await runCli(['serve'], { PGLITE_DATA_DIR: 'memory://', PORT: '0', WORKERS: '2' });
      expect(workers.code).toBe(78);
      expect(workers.stderr).toContain('WORKERS=2 需要 PostgreSQL');
      expect(workers.stderr).toContain('set DATABASE_URL');
      const store = await runCli(['serve'], { PGLITE_DATA_DIR: 'memory://', PORT: '0', RATE_LIMIT_STORE: 'database' });
      expect(store.code).toBe(78);
      expect(store.stderr).toContain('RATE_LIMIT_STORE=database 需要 PostgreSQL');
    }, 60_000);
  });

if (testEngine === 'postgres')
  describe('several server processes on one PostgreSQL', () => {
    let database: TestDatabase;

    beforeAll(async () => {
      database = await freshDatabase();
    }, 120_000);
    afterAll(async () => {
      await stopAll();
      await database?.close();
    });

    it('runs WORKERS processes on one port; a worker killed is started again while the others serve', async () => {
      const port = await freePort();
      const supervised = startServe({
        ...database.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        DEMO_DATA: 'false',
        WORKERS: '2',
        HEAP_LIMIT_MB: '512',
      });
      running.push(supervised);
      const first = await supervised.waitFor(/started server 1 of 2, pid (\d+)/);
      const second = await supervised.waitFor(/started server 2 of 2, pid (\d+)/);
      const pids = [Number(first[1]), Number(second[1])];
      expect(new Set(pids).size).toBe(2);
      await supervised.waitFor(/Monazite is running at[\s\S]*Monazite is running at/);
      for (let request = 0; request < 10; request += 1) expect(await health(port)).toBe(200);

      const mark = supervised.output().length;
      process.kill(pids[0]!, 'SIGKILL');
      await supervised.waitFor(
        new RegExp(`server 1 of 2 \\(pid ${pids[0]}\\) was killed by SIGKILL; restarting in 1 s`),
        mark,
      );
      // The other worker serves every new connection while the killed one waits to be started again.
      for (let request = 0; request < 10; request += 1) expect(await health(port)).toBe(200);
      const again = await supervised.waitFor(/started server 1 of 2, pid (\d+)/, mark);
      await supervised.waitFor(/Monazite is running at/, mark);
      expect(await health(port)).toBe(200);

      supervised.child.kill('SIGTERM');
      expect(await supervised.exited).toEqual({ code: 0, signal: null });
      for (const pid of [pids[1]!, Number(again[1])]) expect(isAlive(pid)).toBe(false);
    }, 240_000);

    it('shares sessions, rate limits, sign-in throttling and idempotency keys between two processes', async () => {
      const env = {
        ...database.env,
        SUPERVISE: 'false',
        LOGIN_RATE_LIMIT_PER_MINUTE: '6',
        LOGIN_THROTTLE_FREE_ATTEMPTS: '2',
        // Two instances (as behind a proxy), not WORKERS: the shared count is chosen explicitly.
        RATE_LIMIT_STORE: 'database',
      };
      const [a, b] = await Promise.all([serve(env), serve(env)]);

      // A session made by A is good on B, and signing out on B ends it on A.
      const signed = await signIn(a.url, 'baotou.iit');
      expect(signed.status).toBe(200);
      const cookie = signed.headers.get('set-cookie')!.split(';')[0]!;
      const csrf = ((await signed.json()) as { csrf_token: string }).csrf_token;
      // The one-time code given to B completes the sign-in made on A.
      const given = await fetch(`${b.url}/api/v1/auth/second-factor`, {
        method: 'POST',
        headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' },
        body: JSON.stringify({ code: await new CodeSource(database.db).next('baotou.iit') }),
      });
      expect(given.status).toBe(200);
      const me = await fetch(`${b.url}/api/v1/auth/me`, { headers: { cookie } });
      expect(me.status).toBe(200);
      expect(((await me.json()) as { login: string; session_stage: string }).login).toBe('baotou.iit');

      // The same keyed write sent to both at once is stored once; the other answer is its replay.
      const bayan = await database.db
        .selectFrom('enterprise')
        .select('id')
        .where('name', 'like', '%巴彦%')
        .executeTakeFirstOrThrow();
      const key = `two-processes-${randomUUID()}`;
      const body = JSON.stringify({
        enterprise_id: bayan.id,
        type: 'flow_records_missing',
        description: '两个进程同时提交',
        found_on: '2026-11-20',
        idempotency_key: key,
      });
      const post = (url: string) =>
        fetch(`${url}/api/v1/supervision/violations`, {
          method: 'POST',
          headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' },
          body,
        });
      const answers = await Promise.all([post(a.url), post(b.url)]);
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 201]);
      const ids = await Promise.all(answers.map(async (answer) => ((await answer.json()) as { id: string }).id));
      expect(ids[0]).toBe(ids[1]);
      const stored = await database.db
        .selectFrom('violation')
        .select('id')
        .where('idempotency_key', '=', key)
        .execute();
      expect(stored).toHaveLength(1);

      const out = await fetch(`${b.url}/api/v1/auth/logout`, {
        method: 'POST',
        headers: { cookie, 'x-csrf-token': csrf },
      });
      expect(out.status).toBeLessThan(300);
      expect((await fetch(`${a.url}/api/v1/auth/me`, { headers: { cookie } })).status).toBe(401);

      // Sign-in throttling: two wrong passwords, one on each, block the right one on either.
      expect((await signIn(a.url, 'ent.bayan', 'wrong-1')).status).toBe(401);
      expect((await signIn(b.url, 'ent.bayan', 'wrong-2')).status).toBe(401);
      expect((await signIn(a.url, 'ent.bayan')).status).toBe(401);
      expect((await signIn(b.url, 'ent.bayan')).status).toBe(401);

      // The sign-in rate limit (6 a minute from one address) counts requests to both: 5 made so far, then 1 more.
      expect((await signIn(a.url, 'nobody', 'x')).status).toBe(401);
      const limited = await signIn(b.url, 'nobody', 'x');
      expect(limited.status).toBe(429);
    }, 240_000);
  });
