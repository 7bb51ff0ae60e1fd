import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/server/db/database.ts';
import { freshDatabase, testEngine } from '../support/database.ts';
import { freePort, runCli, startServe, type ServerProcess } from './cli-helpers.ts';

/**
 * SIGTERM while an import is in flight: the server stops accepting, finishes the import, closes the database and
 * exits 0; the import is committed whole (its answer was sent), and nothing is half-written. On PostgreSQL the
 * server's event loop is free while the database works, so the signal is taken mid-import (the test checks the
 * order); embedded PGlite works on the server's own thread, so there the signal is taken when the import's statements
 * let go of it — the outcome checked is the same.
 */

const EVENTS = 3_000;

function submission(): string {
  return JSON.stringify({
    events: Array.from({ length: EVENTS }, (_, index) => ({
      event_id: `SIGTERM-${index}`,
      kind: 'produce',
      event_time: '2026-03-02T08:00:00+08:00',
      batch: `SIGTERM-${index}`,
      product: 'BASTNAESITE_CONC',
      mass_kg: 1000 + index,
      grade_ppm: 500000,
    })),
  });
}

/** Posts the body; `sent` resolves once the whole request is on the wire, `answer` with the status (or the error). */
function post(port: number, token: string, body: string) {
  let markSent: () => void = () => undefined;
  const sent = new Promise<void>((resolve) => (markSent = resolve));
  const answer = new Promise<{ status: number; text: string } | { error: string }>((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/api/v1/flows',
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', (error) => resolve({ error: error.message }));
    req.on('finish', markSent);
    req.end(body);
  });
  return { sent, answer };
}

describe('graceful shutdown', () => {
  const dirs: string[] = [];
  const closers: (() => Promise<void>)[] = [];
  let server: ServerProcess | undefined;
  afterAll(async () => {
    server?.child.kill('SIGKILL');
    for (const close of closers) await close().catch(() => undefined);
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('finishes an import in flight on SIGTERM, then exits 0 with it committed whole', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'monazite-sigterm-'));
    dirs.push(dir);
    const dataDir = join(dir, 'pglite');
    const database = await freshDatabase(testEngine === 'pglite' ? dataDir : undefined);
    closers.push(() => database.close());
    // The embedded database belongs to one process: the server's, until it exits.
    if (testEngine === 'pglite') await database.close();
    const port = await freePort();
    const env = {
      ...database.env,
      PORT: String(port),
      SUPERVISE: 'false',
      DEMO_DATA: 'false',
      RATE_LIMIT_PER_MINUTE: '100000',
      LOG_LEVEL: 'info',
    };
    server = startServe(env);
    await server.waitFor(/Monazite is running at/);
    const token = await runCli(['token', 'create', '--user', 'ent.bayan', '--name', 'sigterm'], env);
    expect(token.code, token.stderr).toBe(0);

    const { sent, answer } = post(port, token.stdout.trim(), submission());
    await sent;
    // The server has the whole request (localhost) and is storing it when the signal comes.
    await new Promise((resolve) => setTimeout(resolve, 30));
    const signalledAt = server.output().length;
    server.child.kill('SIGTERM');

    const result = await answer;
    const exit = await server.exited;
    // The signal came while the import was running: the server said it was stopping before it answered it.
    const after = server.output().slice(signalledAt);
    const stopping = after.indexOf('stopping: finishing the requests in flight');
    const answered = after.search(
      /"url":"\/api\/v1\/flows"[^\n]*"statusCode":201|"statusCode":201[^\n]*"responseTime"/,
    );
    expect(stopping).toBeGreaterThanOrEqual(0);
    expect(answered).toBeGreaterThanOrEqual(0);
    if (testEngine === 'postgres') expect(answered).toBeGreaterThan(stopping);
    expect(result).toMatchObject({ status: 201 });
    expect(exit).toEqual({ code: 0, signal: null });
    server = undefined;

    // The data directory is free again (the database was closed): every event is there, once, from one submission.
    const reader: DatabaseHandle = testEngine === 'pglite' ? await openDatabase({ pgliteDataDir: dataDir }) : database;
    try {
      const stored = await reader.db
        .selectFrom('flow_line')
        .select((eb) => [
          eb.fn.countAll<string>().as('lines'),
          eb.fn.count<string>('event_id').distinct().as('events'),
          eb.fn.count<string>('submission_id').distinct().as('submissions'),
        ])
        .where('event_id', 'like', 'SIGTERM-%')
        .executeTakeFirstOrThrow();
      expect(stored).toEqual({ lines: String(EVENTS), events: String(EVENTS), submissions: '1' });
    } finally {
      if (testEngine === 'pglite') await reader.close();
    }
  }, 240_000);
});
