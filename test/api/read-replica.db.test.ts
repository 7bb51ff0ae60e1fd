import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/server/app.ts';
import { openDatabase, type DatabaseHandle } from '../../src/server/db/database.ts';
import { creditCodes, mineEvents, plantEvents } from '../flows/flow-world.ts';
import { startTestApp, type Client, type TestContext } from '../support/app.ts';
import { testEngine, type TestDatabase } from '../support/database.ts';
import { eventually, replicaBaseUrl, replicaUrlOf } from '../support/replica.ts';
import { expectProblem } from './api-helpers.ts';

/**
 * Read replicas (docs/operations.md, "Read replicas"). Without DATABASE_READ_URL: the routing on the primary and
 * /readyz. With it (CI starts scripts/pg-replica.sh): reads from a real streaming replica, read-your-own-write, lag.
 */

const YEAR = new Date().getFullYear();
const unknownCertificate = '/api/v1/public/certificates/00000-00000-00000-00000';

/** The replica-read routes' requests this app counted, by target (and, for the primary, reason). */
async function readsOf(app: App, target: 'primary' | 'replica', reason?: string): Promise<number> {
  const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  let total = 0;
  for (const match of text.matchAll(/^monazite_database_reads_total\{target="(\w+)",reason="(\w*)"\} (\d+)$/gm)) {
    if (match[1] === target && (reason === undefined || match[2] === reason)) total += Number(match[3]);
  }
  return total;
}

/** Runs `read` and says how the reads it made were served. */
async function counted(app: App, read: () => Promise<void>) {
  const before = { primary: await readsOf(app, 'primary'), replica: await readsOf(app, 'replica') };
  await read();
  return {
    primary: (await readsOf(app, 'primary')) - before.primary,
    replica: (await readsOf(app, 'replica')) - before.replica,
  };
}

describe('read routing without a replica', () => {
  let context: TestContext;
  beforeAll(async () => {
    context = await startTestApp();
  });
  afterAll(() => context.close());

  it('reads a replica-read route from the primary when there is no replica, and counts it', async () => {
    const miit = await context.as('miit');
    const before = await readsOf(context.app, 'primary', 'no_replica');
    const served = await counted(context.app, async () => {
      expect((await miit.get(`/api/v1/dashboard?year=${YEAR}`)).statusCode).toBe(200);
      expectProblem(await context.anonymous.get(unknownCertificate), 404, 'not_found');
      // Not a replica-read route: not counted.
      expect((await miit.get('/api/v1/auth/me')).statusCode).toBe(200);
    });
    expect(served).toEqual({ primary: 2, replica: 0 });
    expect(await readsOf(context.app, 'primary', 'no_replica')).toBe(before + 2);
  });

  it('is ready when the database answers and every migration is applied; else 503 naming the pending one', async () => {
    const ready = await context.anonymous.get('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', engine: testEngine, failures: [] });
    const db = context.database.db;
    const last = await db.selectFrom('schema_migration').selectAll().orderBy('name', 'desc').executeTakeFirstOrThrow();
    await db.deleteFrom('schema_migration').where('name', '=', last.name).execute();
    try {
      const pending = await context.anonymous.get('/readyz');
      expect(pending.statusCode).toBe(503);
      expect(pending.json()).toEqual({
        status: 'not_ready',
        engine: testEngine,
        failures: [{ code: 'migrations_pending', pending: [last.name] }],
      });
    } finally {
      await db.insertInto('schema_migration').values(last).execute();
    }
    expect((await context.anonymous.get('/readyz')).statusCode).toBe(200);
  });
});

if (testEngine === 'pglite') {
  describe('read replicas on the embedded database', () => {
    it('are refused: PGlite has no replicas', async () => {
      await expect(startTestApp({ DATABASE_READ_URL: 'postgres://postgres@127.0.0.1:5433/monazite' })).rejects.toThrow(
        /DATABASE_READ_URL needs DATABASE_URL/,
      );
    });
  });
}

if (testEngine === 'postgres') {
  describe('a replica that cannot be reached', () => {
    it('is not read from, and /readyz names it', async () => {
      // Port 1: nothing listens there, so the connection is refused at once.
      const context = await startTestApp({
        DATABASE_READ_URL: 'postgres://postgres:not-logged@127.0.0.1:1/monazite',
        REPLICA_LAG_SAMPLE_MS: '100',
      });
      try {
        const answer = await context.anonymous.get('/readyz');
        expect(answer.statusCode).toBe(503);
        expect(answer.json()).toEqual({
          status: 'not_ready',
          engine: 'postgres',
          failures: [{ code: 'replica_unreachable', replica: 0 }],
        });
        const before = await readsOf(context.app, 'primary', 'replicas_behind');
        expectProblem(await context.anonymous.get(unknownCertificate), 404, 'not_found');
        expect(await readsOf(context.app, 'primary', 'replicas_behind')).toBe(before + 1);
        expect(await readsOf(context.app, 'replica')).toBe(0);
      } finally {
        await context.close();
      }
    });
  });
}

if (testEngine === 'postgres' && replicaBaseUrl) {
  describe('with a streaming replica', () => {
    /** An app on a fresh database whose DATABASE_READ_URL is that database on the replica. */
    const withReplica = async (env: Record<string, string>) => {
      let replicaUrl = '';
      const context = await startTestApp(
        // Where each read goes is what these tests look at: no answers remembered in memory, which any handle gives.
        { REPLICA_LAG_SAMPLE_MS: '100', CERTIFICATE_CACHE_SECONDS: '0', DASHBOARD_CACHE_SECONDS: '0', ...env },
        {
          envOf: async (database: TestDatabase) => {
            replicaUrl = await replicaUrlOf(database);
            return { DATABASE_READ_URL: replicaUrl };
          },
        },
      );
      const replica = await openDatabase({ url: replicaUrl, poolSize: 1 });
      return { context, replica };
    };
    /** Replay paused on the replica while `work` runs: whatever is written meanwhile is not on the replica. */
    const replayPaused = async (replica: DatabaseHandle, work: () => Promise<void>) => {
      await sql`SELECT pg_wal_replay_pause()`.execute(replica.db);
      try {
        await work();
      } finally {
        // Other files may read from the same replica: replay resumes whatever happened.
        await sql`SELECT pg_wal_replay_resume()`.execute(replica.db);
      }
    };
    /** Waits until the replica has replayed the batch of this code, and gives its id. */
    const replayedBatch = (replica: DatabaseHandle, code: string) =>
      eventually(async () => {
        const row = await replica.db.selectFrom('flow_batch').select('id').where('code', '=', code).executeTakeFirst();
        return row ? Number(row.id) : undefined;
      });
    const issueCertificate = async (plant: Client, batchId: number) => {
      const issued = await plant.post(`/api/v1/batches/${batchId}/certificates`);
      expect(issued.statusCode, issued.body).toBe(201);
      return issued.json<{ code: string }>().code;
    };

    describe('reads', () => {
      let context: TestContext;
      let replica: DatabaseHandle;
      let plant: Client;
      let miit: Client;
      beforeAll(async () => {
        // No read-your-own-write window: every read of these routes goes to the replica.
        ({ context, replica } = await withReplica({ REPLICA_MAX_LAG_MS: '600000', REPLICA_STICKY_MS: '0' }));
        const [mine, signedIn, ministry] = await Promise.all(
          ['ent.bayan', 'ent.kundulun', 'miit'].map((login) => context.as(login)),
        );
        [plant, miit] = [signedIn!, ministry!];
        const codes = await creditCodes(context.database.db);
        expect((await mine!.post('/api/v1/flows', { events: mineEvents(codes) })).statusCode).toBe(201);
        expect((await plant.post('/api/v1/flows', { events: plantEvents(codes) })).statusCode).toBe(201);
      });
      afterAll(async () => {
        await replica.close();
        await context.close();
      });

      it('serves a trace, a certificate check and a dashboard from the replica', async () => {
        const [inRecovery] = (
          await sql<{ standby: boolean }>`SELECT pg_is_in_recovery() AS standby`.execute(replica.db)
        ).rows;
        expect(inRecovery?.standby).toBe(true);
        const oxide = await replayedBatch(replica, 'KD-PRND-01');
        const code = await issueCertificate(plant, oxide);
        await eventually(async () =>
          (await replica.db.selectFrom('certificate').select('code').where('code', '=', code).executeTakeFirst())
            ? true
            : undefined,
        );
        const served = await counted(context.app, async () => {
          const trace = await miit.get(`/api/v1/batches/${oxide}/trace/back`);
          expect(trace.statusCode, trace.body).toBe(200);
          expect(trace.json<{ origins: unknown[] }>().origins).toHaveLength(2);
          const checked = await context.anonymous.get(`/api/v1/public/certificates/${code}`);
          expect(checked.statusCode, checked.body).toBe(200);
          expect((await miit.get(`/api/v1/dashboard?year=${YEAR}`)).statusCode).toBe(200);
        });
        expect(served).toEqual({ primary: 0, replica: 3 });
      });

      it('does not see, while replay is paused, what was written since: the reads are the replica’s', async () => {
        const lanthanum = await replayedBatch(replica, 'KD-LA-01');
        await replayPaused(replica, async () => {
          const code = await issueCertificate(plant, lanthanum);
          // On the primary it is there; the replica has not replayed it.
          expect(
            await context.database.db.selectFrom('certificate').select('code').where('code', '=', code).execute(),
          ).toHaveLength(1);
          expectProblem(await context.anonymous.get(`/api/v1/public/certificates/${code}`), 404, 'not_found');
        });
      });
    });

    describe('read-your-own-write', () => {
      let context: TestContext;
      let replica: DatabaseHandle;
      let plant: Client;
      let oxide: number;
      beforeAll(async () => {
        ({ context, replica } = await withReplica({ REPLICA_MAX_LAG_MS: '600000', REPLICA_STICKY_MS: '600000' }));
        const [mine, signedIn] = await Promise.all(['ent.bayan', 'ent.kundulun'].map((login) => context.as(login)));
        plant = signedIn!;
        const codes = await creditCodes(context.database.db);
        expect((await mine!.post('/api/v1/flows', { events: mineEvents(codes) })).statusCode).toBe(201);
        expect((await plant.post('/api/v1/flows', { events: plantEvents(codes) })).statusCode).toBe(201);
        oxide = await replayedBatch(replica, 'KD-PRND-01');
      });
      afterAll(async () => {
        await replica.close();
        await context.close();
      });

      it("sends a user's reads after their write to the primary, which has it; others read the replica", async () => {
        await replayPaused(replica, async () => {
          const code = await issueCertificate(plant, oxide);
          const before = await readsOf(context.app, 'primary', 'own_write');
          // The writer's session, on a public route too (the certificate page after issuing it): the primary.
          const own = await plant.get(`/api/v1/public/certificates/${code}`);
          expect(own.statusCode, own.body).toBe(200);
          const trace = await plant.get(`/api/v1/batches/${oxide}/trace/back`);
          expect(trace.statusCode, trace.body).toBe(200);
          expect(await readsOf(context.app, 'primary', 'own_write')).toBe(before + 2);
          // Someone else: the replica, which has not replayed the certificate yet.
          const served = await counted(context.app, async () => {
            expectProblem(await context.anonymous.get(`/api/v1/public/certificates/${code}`), 404, 'not_found');
          });
          expect(served).toEqual({ primary: 0, replica: 1 });
        });
      });
    });

    describe('lag', () => {
      let context: TestContext;
      let replica: DatabaseHandle;
      let mine: Client;
      let miit: Client;
      const maxLagMs = 300;
      beforeAll(async () => {
        ({ context, replica } = await withReplica({ REPLICA_MAX_LAG_MS: String(maxLagMs), REPLICA_STICKY_MS: '0' }));
        [mine, miit] = (await Promise.all(['ent.bayan', 'miit'].map((login) => context.as(login)))) as [Client, Client];
      });
      afterAll(async () => {
        await replica.close();
        await context.close();
      });

      it('reads from the primary and answers 503 on /readyz while the replica is behind the bound', async () => {
        const codes = await creditCodes(context.database.db);
        await replayPaused(replica, async () => {
          // A write the replica receives but does not replay: it falls behind from here.
          expect((await mine.post('/api/v1/flows', { events: mineEvents(codes) })).statusCode).toBe(201);
          const answer = await eventually(async () => {
            const readyz = await context.anonymous.get('/readyz');
            return readyz.statusCode === 503 ? readyz : undefined;
          });
          const body = answer.json<{ status: string; failures: { lag_ms: number }[] }>();
          expect(body.status).toBe('not_ready');
          const lagMs = body.failures[0]?.lag_ms ?? 0;
          expect(body.failures).toEqual([{ code: 'replica_lagging', replica: 0, lag_ms: lagMs, max_lag_ms: maxLagMs }]);
          expect(lagMs).toBeGreaterThan(maxLagMs);
          const before = await readsOf(context.app, 'primary', 'replicas_behind');
          const served = await counted(context.app, async () => {
            expect((await miit.get(`/api/v1/dashboard?year=${YEAR}`)).statusCode).toBe(200);
          });
          expect(served).toEqual({ primary: 1, replica: 0 });
          expect(await readsOf(context.app, 'primary', 'replicas_behind')).toBe(before + 1);
        });
        // Replay resumed: the replica catches up, and is ready and read from again.
        await eventually(async () => ((await context.anonymous.get('/readyz')).statusCode === 200 ? true : undefined));
        const served = await counted(context.app, async () => {
          expect((await miit.get(`/api/v1/dashboard?year=${YEAR}`)).statusCode).toBe(200);
        });
        expect(served).toEqual({ primary: 0, replica: 1 });
      });
    });
  });
}
