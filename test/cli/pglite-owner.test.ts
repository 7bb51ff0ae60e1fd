import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SubmissionResult } from '../../src/contracts/flows.ts';
import { lockPathOf, socketPathOf } from '../../src/server/db/data-dir-lock.ts';
import { openDatabase } from '../../src/server/db/database.ts';
import { verifyAuditChain } from '../../src/server/modules/audit/index.ts';
import { readBackupFile } from '../../src/server/modules/backup/backup.file.ts';
import { EXIT_DO_NOT_RESTART } from '../../src/server/supervisor.ts';
import { freshDatabase } from '../support/database.ts';
import { BAYAN, csvOf } from '../flows/file-helpers.ts';
import { deadPid, freePort, isAlive, listening, runCli, startServe, type ServerProcess } from './cli-helpers.ts';

/**
 * The embedded database has one owner (issue 12, item 2). A server on a PGlite data directory in a child process;
 * beside it, every CLI write command (through the server's admin socket), a second `serve` (refused at once, no
 * port bound); then a restart that finds every write, and a stale lock taken over. PGlite only: PostgreSQL needs
 * no lock (the same commands against a server are in cli-audit.db.test.ts and flows/import-cli.db.test.ts).
 */
describe('one owner of a PGlite data directory', () => {
  let directory: string;
  let dataDir: string;
  let env: Record<string, string>;
  let server: ServerProcess | null = null;
  let port: number;

  async function serve(): Promise<ServerProcess> {
    port = await freePort();
    const started = startServe({ ...env, PORT: String(port), HOST: '127.0.0.1', SUPERVISE: 'false' });
    await started.waitFor(/Monazite is running at/);
    return started;
  }
  async function stop(running: ServerProcess): Promise<void> {
    running.child.kill('SIGTERM');
    expect(await running.exited).toEqual({ code: 0, signal: null });
  }
  const api = (path: string, token: string) =>
    fetch(`http://127.0.0.1:${port}${path}`, { headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'monazite-owner-'));
    dataDir = join(directory, 'pglite');
    const prepared = await freshDatabase(dataDir);
    await prepared.close();
    env = { PGLITE_DATA_DIR: dataDir, DEMO_DATA: 'false' };
  }, 120_000);
  afterAll(async () => {
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    await rm(directory, { recursive: true, force: true });
  });

  let token = '';
  let submissionId = '';

  it('a running server holds the lock and opens its admin socket, mode 0600', async () => {
    server = await serve();
    const lock = JSON.parse(await readFile(lockPathOf(dataDir), 'utf8')) as {
      pid: number;
      host: string;
      socket: string;
    };
    expect(lock).toMatchObject({ pid: server.child.pid, host: hostname(), socket: socketPathOf(dataDir) });
    const socket = await stat(socketPathOf(dataDir));
    expect(socket.isSocket()).toBe(true);
    expect(socket.mode & 0o777).toBe(0o600);
  }, 180_000);

  it('a second serve on the same data directory refuses at once, naming the holder, and binds no port', async () => {
    const otherPort = await freePort();
    const second = startServe({ ...env, PORT: String(otherPort), HOST: '127.0.0.1' });
    const ended = await second.exited;
    expect(ended.code, second.output()).toBe(EXIT_DO_NOT_RESTART);
    expect(second.output()).toContain(`is in use by pid ${server?.child.pid} on ${hostname()} (monazite serve`);
    expect(second.output()).toContain('not restarting');
    expect(await listening(otherPort)).toBe(false);
    // The first server is untouched.
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  }, 120_000);

  it('token create goes through the server: the token works against its HTTP API at once', async () => {
    const result = await runCli(['token', 'create', '--user', 'ent.bayan', '--name', 'beside'], env);
    expect(result.code, result.stderr).toBe(0);
    token = result.stdout.trim();
    expect(token).toMatch(/^\S+_\S+$/);
    const me = await api('/api/v1/auth/me', token);
    expect(me.status).toBe(200);
    expect(((await me.json()) as { login: string }).login).toBe('ent.bayan');
  }, 120_000);

  it('demo goes through the server: the demo flows load into its database', async () => {
    const demo = await runCli(['demo'], env);
    expect(demo.code, demo.stderr).toBe(0);
    expect(demo.stdout).toMatch(/Demo data present: .*loaded \d+ flow events/);
  }, 600_000);

  it('import goes through the server: the submission is visible through its API', async () => {
    const file = join(directory, 'flows.csv');
    await writeFile(
      file,
      csvOf([
        {
          事件编号: 'OWNER-1',
          类型: '生产',
          事件时间: '2026-03-05 08:30',
          批次号: 'OWNER-B1',
          产品代码: 'BASTNAESITE_CONC',
          '质量(kg)': 1000,
          '品位(ppm)': 500000,
        },
      ]),
    );
    const result = await runCli(['import', file, '--enterprise', BAYAN, '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    const submission = JSON.parse(result.stdout) as SubmissionResult;
    expect(submission).toMatchObject({ source: 'cli', received: 1, accepted: 1, replayed: false });
    submissionId = submission.submission_id;
    const seen = await api(`/api/v1/flows/submissions/${submissionId}`, token);
    expect(seen.status).toBe(200);
  }, 120_000);

  it('a refused import through the server stores nothing and says so', async () => {
    const file = join(directory, 'bad.csv');
    await writeFile(file, csvOf([{ 事件编号: 'OWNER-BAD', 类型: '生产', 事件时间: '2026-03-05 08:30' }]));
    const result = await runCli(['import', file, '--enterprise', BAYAN], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('refused, nothing stored');
  }, 120_000);

  it('migrate and audit verify go through the server', async () => {
    const migrate = await runCli(['migrate'], env);
    expect(migrate.code, migrate.stderr).toBe(0);
    expect(migrate.stdout).toContain('is up to date. (The running server applied its migrations when it started.)');
    const verify = await runCli(['audit', 'verify'], env);
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stdout).toMatch(/^Audit chain intact: \d+ entries/);
  }, 300_000);

  it('backup goes through the server; restore, which replaces the database, refuses while the server runs', async () => {
    const file = join(directory, 'owner.mzb');
    const backup = await runCli(['backup', '--out', file], env);
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stdout).toMatch(/^Backup of .* written to .*owner\.mzb: \d+ bytes of pglite-datadir-tar-gz/);
    const manifest = await readBackupFile(file, join(directory, 'owner.dump'));
    expect(manifest.engine).toBe('pglite');
    expect(manifest.row_counts.flow_submission).toBeGreaterThan(0);
    const restore = await runCli(['restore', file, '--force'], env);
    expect(restore.code).toBe(1);
    expect(restore.stderr).toContain('is in use by pid');
    expect(restore.stderr).toContain('cannot be done under a running server: stop it first');
    expect(await listening(port)).toBe(true);
  }, 300_000);

  it('after a restart every write is there: the token, the submission, the demo flows and their audit entries', async () => {
    if (!server) throw new Error('no server');
    await stop(server);
    await expect(stat(lockPathOf(dataDir))).rejects.toThrow(/ENOENT/);
    server = await serve();
    expect((await api('/api/v1/auth/me', token)).status).toBe(200);
    expect((await api(`/api/v1/flows/submissions/${submissionId}`, token)).status).toBe(200);
    await stop(server);
    server = null;

    const database = await openDatabase({ pgliteDataDir: dataDir });
    try {
      const entries = await database.db
        .selectFrom('audit_entry')
        .select(['action', 'object_id', 'actor_login', 'user_agent'])
        .where('actor_id', '=', 'cli')
        .orderBy('seq')
        .execute();
      expect(entries.map((entry) => entry.action)).toEqual(['token.create', 'flow.file']);
      expect(entries[1]?.object_id).toBe(submissionId);
      for (const entry of entries) {
        expect(entry.actor_login).toMatch(/^cli:.+@.+$/);
        expect(entry.user_agent).toMatch(/admin socket/);
      }
      const flows = await database.db.selectFrom('flow_submission').select('id').execute();
      expect(flows.length).toBeGreaterThan(1); // the import and the demo's flows
      const refused = await database.db
        .selectFrom('flow_line')
        .select('event_id')
        .where('event_id', '=', 'OWNER-BAD')
        .execute();
      expect(refused).toEqual([]); // the refused import wrote nothing (and no audit entry, above)
      expect((await verifyAuditChain(database.db)).ok).toBe(true);
    } finally {
      await database.close();
    }
  }, 300_000);

  it('a command line refuses a directory another command line holds, naming it', async () => {
    const holder = await openDatabase({ pgliteDataDir: dataDir });
    try {
      const result = await runCli(['token', 'create', '--user', 'ent.bayan'], env);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`is in use by pid ${process.pid} on ${hostname()}`);
      expect(result.stderr).toContain('Wait for that command to finish');
      const count = await holder.db
        .selectFrom('api_token')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(count.n)).toBe(1); // only the token made beside the server
    } finally {
      await holder.close();
    }
  }, 120_000);

  it('a stale lock (its pid dead) is taken over, with a log line', async () => {
    const pid = await deadPid();
    expect(isAlive(pid)).toBe(false);
    await writeFile(
      lockPathOf(dataDir),
      JSON.stringify({
        pid,
        host: hostname(),
        started_at: '2026-01-01T00:00:00.000Z',
        command: 'serve',
        socket: socketPathOf(dataDir),
      }),
    );
    const result = await runCli(['audit', 'verify'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`took over the stale lock of pid ${pid}`);
    expect(result.stdout).toMatch(/^Audit chain intact/);
    await expect(stat(lockPathOf(dataDir))).rejects.toThrow(/ENOENT/);
  }, 120_000);
});
