import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockPathOf } from '../../src/server/db/data-dir-lock.ts';
import { exitReason, heapLimitMb } from '../../src/server/supervisor.ts';
import { freshDatabase } from '../support/database.ts';
import { freePort, isAlive, startServe, type ServerProcess } from './cli-helpers.ts';

/**
 * `npm start` runs the server under a supervisor (issue 12, item 1): a worker killed outright (as by the kernel
 * for memory, or by a fatal heap error) is started again and answers /healthz; SIGTERM stops both.
 */
describe('the supervisor of monazite serve', () => {
  let directory: string;
  let supervised: ServerProcess | null = null;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'monazite-supervisor-'));
    const prepared = await freshDatabase(join(directory, 'pglite'));
    await prepared.close();
  }, 120_000);
  afterAll(async () => {
    if (supervised && supervised.child.exitCode === null) {
      supervised.child.kill('SIGTERM');
      await supervised.exited;
    }
    await rm(directory, { recursive: true, force: true });
  });

  it('restarts a worker that was killed, saying why, and SIGTERM stops the supervisor and the worker', async () => {
    const port = await freePort();
    const dataDir = join(directory, 'pglite');
    const running = startServe({
      PGLITE_DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      DEMO_DATA: 'false',
      HEAP_LIMIT_MB: '768',
    });
    supervised = running;
    const first = await running.waitFor(/started the server, pid (\d+) \(heap limit 768 MB\)/);
    await running.waitFor(/Monazite is running at/);
    const firstPid = Number(first[1]);
    expect(firstPid).not.toBe(running.child.pid);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);

    const mark = running.output().length;
    process.kill(firstPid, 'SIGKILL');
    await running.waitFor(
      new RegExp(`the server \\(pid ${firstPid}\\) was killed by SIGKILL; restarting in 1 s`),
      mark,
    );
    const second = await running.waitFor(/started the server, pid (\d+)/, mark);
    const secondPid = Number(second[1]);
    expect(secondPid).not.toBe(firstPid);
    // The new worker takes over the lock the killed one left, and serves again.
    await running.waitFor(new RegExp(`took over the stale lock of pid ${firstPid}`), mark);
    await running.waitFor(/Monazite is running at/, mark);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', engine: 'pglite' });

    running.child.kill('SIGTERM');
    expect(await running.exited).toEqual({ code: 0, signal: null });
    expect(running.output()).toContain(`the server (pid ${secondPid}) stopped; exiting`);
    expect(isAlive(secondPid)).toBe(false);
    await expect(stat(lockPathOf(dataDir))).rejects.toThrow(/ENOENT/);
  }, 300_000);

  it('gives the worker its heap ceiling: a worker out of heap is restarted with a growing delay', async () => {
    // 32 MB cannot even hold the server's code: every worker dies of "JavaScript heap out of memory" (an abort).
    const running = startServe({
      PGLITE_DATA_DIR: join(directory, 'pglite'),
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      DEMO_DATA: 'false',
      HEAP_LIMIT_MB: '32',
    });
    supervised = running;
    await running.waitFor(/started the server, pid \d+ \(heap limit 32 MB\)/);
    await running.waitFor(
      /was aborted \(SIGABRT\): a fatal error such as heap out of memory .*; restarting in 1 s \(restart 1\)/,
    );
    await running.waitFor(/was aborted \(SIGABRT\): .*; restarting in 2 s \(restart 2\)/);
    expect(running.output()).toContain('JavaScript heap out of memory');
    running.child.kill('SIGTERM');
    expect(await running.exited).toEqual({ code: 0, signal: null });
  }, 300_000);

  it('sets a heap ceiling with headroom, and names a fatal abort in its log', () => {
    expect(heapLimitMb({ HEAP_LIMIT_MB: 1500 })).toBe(1500);
    const auto = heapLimitMb({ HEAP_LIMIT_MB: 0 });
    expect(auto).toBeGreaterThanOrEqual(512);
    expect(auto).toBeLessThanOrEqual(4096);
    expect(exitReason(null, 'SIGABRT')).toContain('heap out of memory');
    expect(exitReason(134, null)).toContain('heap out of memory');
    expect(exitReason(1, null)).toBe('exited with code 1');
  });
});
