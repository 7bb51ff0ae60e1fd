import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, runCli, startServe, type ServerProcess } from './cli-helpers.ts';

/** Production start-up (docs/operations.md): the demo's settings are refused, each named; set right, it starts. */

const ownSecret = 'a-signing-secret-of-our-own-0123456789';

describe('monazite serve --production', () => {
  let server: ServerProcess | undefined;
  const dirs: string[] = [];
  afterAll(async () => {
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('refuses the demo signing secret, demo data and an insecure cookie, naming each, before opening anything', async () => {
    const result = await runCli(['serve', '--production'], { PGLITE_DATA_DIR: 'memory://', PORT: '0' });
    expect(result.code).toBe(78);
    expect(result.stderr).toContain('生产模式（NODE_ENV=production）拒绝启动');
    for (const setting of ['SIGNING_KEY_SECRET', 'DEMO_DATA=false', 'COOKIE_SECURE=true'])
      expect(result.stderr).toContain(setting);
  });

  it('names only what is still missing, and NODE_ENV=production is the same as --production', async () => {
    const result = await runCli(['serve'], {
      NODE_ENV: 'production',
      PGLITE_DATA_DIR: 'memory://',
      PORT: '0',
      SIGNING_KEY_SECRET: ownSecret,
      DEMO_DATA: 'false',
    });
    expect(result.code).toBe(78);
    expect(result.stderr).toContain('COOKIE_SECURE=true');
    expect(result.stderr).not.toContain('SIGNING_KEY_SECRET');
    expect(result.stderr).not.toContain('DEMO_DATA');
  });

  it('refuses a signing secret too short to be one', async () => {
    const result = await runCli(['serve', '--production'], {
      PGLITE_DATA_DIR: 'memory://',
      PORT: '0',
      SIGNING_KEY_SECRET: 'sixteen-chars-ok',
      DEMO_DATA: 'false',
      COOKIE_SECURE: 'true',
    });
    expect(result.code).toBe(78);
    expect(result.stderr).toContain('SIGNING_KEY_SECRET');
  });

  it('starts with its own settings and no demo data; the first operator is made once, and signs in to enrol', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'monazite-production-'));
    dirs.push(dir);
    const port = await freePort();
    const env = {
      NODE_ENV: 'production',
      PGLITE_DATA_DIR: join(dir, 'pglite'),
      PORT: String(port),
      HOST: '127.0.0.1',
      SUPERVISE: 'false',
      SIGNING_KEY_SECRET: ownSecret,
      DEMO_DATA: 'false',
      COOKIE_SECURE: 'true',
    };
    server = startServe(env);
    await server.waitFor(/Monazite is running at/);
    expect(server.output()).not.toContain('Demo logins');
    const help = await fetch(`http://127.0.0.1:${port}/api/v1/auth/sign-in-help`);
    expect(help.status).toBe(200);
    expect(Object.values((await help.json()) as Record<string, unknown>).every((value) => value === null)).toBe(true);
    const signIn = (login: string, password: string) =>
      fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login, password }),
      });
    // No demo accounts.
    expect((await signIn('ent.bayan', 'whatever-password')).status).toBe(401);

    // The first operator, through the running server's admin socket; a second is refused.
    const made = await runCli(['operator', 'create', '--login', 'first.operator', '--name', '首位运维'], env);
    expect(made.code, made.stderr).toBe(0);
    const password = made.stdout.trim();
    expect(password.length).toBeGreaterThanOrEqual(24);
    const again = await runCli(['operator', 'create', '--login', 'second.operator', '--name', '第二'], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('An operator exists (first.operator)');

    const session = await signIn('first.operator', password);
    expect(session.status).toBe(200);
    expect(((await session.json()) as { session_stage: string }).session_stage).toBe('enrol');
    // The session cookie is Secure.
    expect(session.headers.get('set-cookie')).toMatch(/;\s*Secure/i);
  }, 120_000);
});
