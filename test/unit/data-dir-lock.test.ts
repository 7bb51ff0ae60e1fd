import { mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireDataDirLock, DataDirLockedError, lockPathOf } from '../../src/server/db/data-dir-lock.ts';
import { deadPid } from '../cli/cli-helpers.ts';

/** The lock of a PGlite data directory, in one process (the child-process cases are in test/cli). */
describe('the data directory lock', () => {
  let directory: string;
  let n = 0;
  const dataDir = () => join(directory, `pglite-${(n += 1)}`);

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'monazite-lock-'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('is taken once: a second taker is refused naming the holder; released, it can be taken again', async () => {
    const dir = dataDir();
    const lock = await acquireDataDirLock(dir, { socket: '/tmp/x.sock' });
    const written = JSON.parse(await readFile(lockPathOf(dir), 'utf8')) as Record<string, unknown>;
    expect(written).toMatchObject({ pid: process.pid, host: hostname(), socket: '/tmp/x.sock' });
    expect((await stat(lockPathOf(dir))).mode & 0o077).toBe(0);
    const refused = await acquireDataDirLock(dir).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DataDirLockedError);
    expect((refused as DataDirLockedError).holder.pid).toBe(process.pid);
    expect((refused as Error).message).toContain(`is in use by pid ${process.pid} on ${hostname()}`);
    expect((refused as Error).message).toContain('That is a running server');
    await lock.release();
    await expect(stat(lockPathOf(dir))).rejects.toThrow(/ENOENT/);
    const again = await acquireDataDirLock(dir);
    await again.release();
  });

  it('takes over a lock whose pid is dead on this host, saying so', async () => {
    const dir = dataDir();
    const pid = await deadPid();
    await writeFile(
      lockPathOf(dir),
      JSON.stringify({ pid, host: hostname(), started_at: '2026-01-01T00:00:00.000Z', command: 'serve' }),
    );
    const lines: string[] = [];
    const lock = await acquireDataDirLock(dir, { log: (line) => lines.push(line) });
    expect(lines).toEqual([expect.stringContaining(`took over the stale lock of pid ${pid} (monazite serve`)]);
    expect(lock.holder.pid).toBe(process.pid);
    await lock.release();
  });

  it("never takes over another host's lock: it cannot tell whether that holder lives", async () => {
    const dir = dataDir();
    await writeFile(
      lockPathOf(dir),
      JSON.stringify({ pid: 1, host: `not-${hostname()}`, started_at: '2026-01-01T00:00:00.000Z', command: 'serve' }),
    );
    const refused = await acquireDataDirLock(dir).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DataDirLockedError);
    expect((refused as Error).message).toContain(`remove ${lockPathOf(dir)}`);
    expect(JSON.parse(await readFile(lockPathOf(dir), 'utf8'))).toMatchObject({ host: `not-${hostname()}` });
  });

  it('takes over an old unreadable lock file (a holder that died between creating and writing it)', async () => {
    const dir = dataDir();
    await writeFile(lockPathOf(dir), '');
    const old = new Date(Date.now() - 60_000);
    await utimes(lockPathOf(dir), old, old);
    const lines: string[] = [];
    const lock = await acquireDataDirLock(dir, { log: (line) => lines.push(line) });
    expect(lines).toEqual([expect.stringContaining('took over the unreadable lock file')]);
    await lock.release();
  });
});
