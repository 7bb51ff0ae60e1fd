import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { MAX_EVENTS_PER_REQUEST } from '../contracts/flows.ts';
import type { DatabaseHandle } from '../server/db/database.ts';
import { SYSTEM_ACTOR } from '../server/modules/audit/audit.service.ts';
import { createToken } from '../server/modules/auth/auth.service.ts';
import { seedApprovedUser } from '../server/modules/auth/users.service.ts';
import { issueCertificate } from '../server/modules/trace/certificates.service.ts';
import { runClient, type BenchApi } from './bench-flows.api.ts';
import type { ClientRequest } from './bench-flows.client.ts';
import { period, sealMonth } from './bench-flows.load.ts';
import { percentile, round2 } from './bench-flows.measure.ts';
import type { FlowSimulation, Submission } from './bench-flows.sim.ts';

/**
 * Month end over HTTP (issue 22): the enterprises file a month through `POST /api/v1/flows` with their own API
 * tokens, from a client process of their own. One month one submission at a time (the baseline), the next month
 * `atOnce` enterprises at the same moment — the enterprises of a stage of the chain in groups of `atOnce`, stage
 * after stage (a plant's receipts need the mines' shipments) — while an official traces batches and the public checks certificates, one request after the
 * other. Lock waits are sampled from pg_locks during the peak (PostgreSQL).
 */

export interface PeakFigures {
  /** Enterprises filing at the same moment (--peak-at-once). */
  peak_at_once: number;
  peak_enterprises: number;
  peak_submissions: number;
  peak_events: number;
  /** The baseline month, one submission at a time. */
  sequential_events_per_s: number;
  sequential_upload_p50_ms: number;
  sequential_upload_p99_ms: number;
  peak_events_per_s: number;
  peak_submissions_per_s: number;
  peak_vs_sequential: number;
  peak_p50_ms: number;
  peak_p99_ms: number;
  /** Traces and certificate checks while nobody files, then during the peak. */
  quiet_trace_p99_ms: number;
  peak_trace_p50_ms: number;
  peak_trace_p99_ms: number;
  quiet_certificate_p99_ms: number;
  peak_certificate_p99_ms: number;
  /** Waits seen in pg_locks during the peak (samples every 50 ms), by lock type; empty on PGlite. */
  peak_lock_waits: Record<string, number>;
  /** The server's event-loop delay during the peak (monitorEventLoopDelay, 10 ms resolution). */
  peak_event_loop_delay_p99_ms: number;
  peak_event_loop_delay_max_ms: number;
}

/** An enterprise user with an API token for every enterprise of the register (one password hash for all). */
async function enterpriseTokens(handle: DatabaseHandle, ids: readonly string[]): Promise<string[]> {
  const context = { actor: SYSTEM_ACTOR, requestId: 'bench' };
  const password = randomBytes(18).toString('base64url');
  const tokens: string[] = [];
  for (const [index, id] of ids.entries()) {
    const user = await seedApprovedUser(handle.db, context, {
      login: `bench.e${index}`,
      display_name: `基准企业 ${index}`,
      password,
      role: 'enterprise_user',
      authority_id: null,
      enterprise_id: id,
    });
    tokens.push((await createToken(handle.db, context, user.id, 'bench', 1)).token);
  }
  return tokens;
}

/**
 * A month's submissions as upload requests, in waves of one stage each, of at most `atOnce` enterprises (a
 * submission above the request limit is sent in several requests).
 */
function uploads(submissions: Iterable<Submission>, tokens: readonly string[], atOnce: number): ClientRequest[][] {
  const waves: ClientRequest[][] = [];
  let stage: string | null = null;
  let enterprises = 0;
  for (const submission of submissions) {
    if (submission.stage !== stage || enterprises === atOnce) {
      waves.push([]);
      stage = submission.stage;
      enterprises = 0;
    }
    enterprises += 1;
    for (let start = 0; start < submission.events.length; start += MAX_EVENTS_PER_REQUEST)
      waves.at(-1)!.push({
        method: 'POST',
        path: '/flows',
        body: { events: submission.events.slice(start, start + MAX_EVENTS_PER_REQUEST) },
        token: tokens[submission.enterprise]!,
      });
  }
  return waves;
}

const eventsIn = (waves: readonly (readonly ClientRequest[])[]) =>
  waves.flat().reduce((sum, request) => sum + (request.body as { events: unknown[] }).events.length, 0);

const p = (values: readonly number[], share: number) => round2(percentile(values, share));

/** Samples ungranted locks every 50 ms until `stop` is called; resolves with the waits seen, by lock type. */
function sampleLockWaits(handle: DatabaseHandle): { stop(): Promise<Record<string, number>> } {
  const waits: Record<string, number> = {};
  let running = handle.engine === 'postgres';
  const loop = (async () => {
    while (running) {
      const rows = await sql<{ locktype: string; n: number }>`
        SELECT locktype, count(*)::int AS n FROM pg_locks WHERE NOT granted GROUP BY locktype`.execute(handle.db);
      for (const row of rows.rows) waits[row.locktype] = (waits[row.locktype] ?? 0) + row.n;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return waits;
    },
  };
}

export async function runPeak(
  handle: DatabaseHandle,
  api: BenchApi,
  ids: readonly string[],
  simulation: FlowSimulation,
  months: { readonly sequential: number; readonly peak: number },
  seed: number,
  traceIds: readonly number[],
  atOnce: number,
  progress: (line: string) => void,
): Promise<PeakFigures> {
  progress(`flows: month end over HTTP — ${ids.length} enterprise users with API tokens`);
  const tokens = await enterpriseTokens(handle, ids);

  const sequentialWaves = uploads(simulation.submissions(months.sequential), tokens, 1);
  const sequentialEvents = eventsIn(sequentialWaves);
  progress(
    `  ${period(months.sequential)}  one submission at a time (${sequentialEvents.toLocaleString('en-US')} events)`,
  );
  const began = performance.now();
  const sequential = await runClient({
    kind: 'sequence',
    url: api.url,
    token: api.token,
    requests: sequentialWaves.flat(),
  });
  const sequentialMs = performance.now() - began;
  if (!('ms' in sequential)) throw new Error('the bench client answered no times');
  await sealMonth(handle.db, ids, months.sequential, seed);

  // What officials and the public read meanwhile: backward traces, and checks of certificates issued now.
  const certified = traceIds.slice(0, 10);
  const codes: string[] = [];
  for (const id of certified)
    codes.push((await issueCertificate(handle.db, api.actor, { actor: SYSTEM_ACTOR, requestId: 'bench' }, id)).code);
  const readers: ClientRequest[] = [];
  for (let index = 0; index < traceIds.length; index += 1) {
    readers.push({ method: 'GET', path: `/batches/${traceIds[index]}/trace/back` });
    if (codes.length > 0 && index % 4 === 3)
      readers.push({ method: 'GET', path: `/public/certificates/${codes[index % codes.length]}`, token: null });
  }
  const isCertificate = (index: number) => readers[index]!.path.startsWith('/public/');
  const quiet = await runClient({ kind: 'sequence', url: api.url, token: api.token, requests: readers });
  if (!('ms' in quiet)) throw new Error('the bench client answered no times');

  const peakWaves = uploads(simulation.submissions(months.peak), tokens, atOnce);
  const peakEvents = eventsIn(peakWaves);
  const enterprises = new Set(peakWaves.flat().map((request) => request.token)).size;
  progress(
    `  ${period(months.peak)}  ${atOnce} enterprises at once, stage by stage: ${enterprises} enterprises, ` +
      `${peakWaves.flat().length} submissions (${peakEvents.toLocaleString('en-US')} events), with readers`,
  );
  const locks = sampleLockWaits(handle);
  // How long the server's event loop was held up (the server runs in this process): readers wait at least that.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const peakAnswer = await runClient({ kind: 'peak', url: api.url, token: api.token, waves: peakWaves, readers });
  loopDelay.disable();
  const lockWaits = await locks.stop();
  if (!('peak' in peakAnswer)) throw new Error('the bench client answered no peak');
  await sealMonth(handle.db, ids, months.peak, seed);
  const { peak } = peakAnswer;

  const quietTraces = quiet.ms.filter((_, index) => !isCertificate(index));
  const quietCertificates = quiet.ms.filter((_, index) => isCertificate(index));
  const peakTraces = peak.reads.filter((read) => !isCertificate(read.index)).map((read) => read.ms);
  const peakCertificates = peak.reads.filter((read) => isCertificate(read.index)).map((read) => read.ms);
  const sequentialRate = sequentialEvents / (sequentialMs / 1000);
  const peakRate = peakEvents / (peak.wall_ms / 1000);
  return {
    peak_at_once: atOnce,
    peak_enterprises: enterprises,
    peak_submissions: peak.uploads.length,
    peak_events: peakEvents,
    sequential_events_per_s: Math.round(sequentialRate),
    sequential_upload_p50_ms: p(sequential.ms, 0.5),
    sequential_upload_p99_ms: p(sequential.ms, 0.99),
    peak_events_per_s: Math.round(peakRate),
    peak_submissions_per_s: round2(peak.uploads.length / (peak.wall_ms / 1000)),
    peak_vs_sequential: round2(peakRate / sequentialRate),
    peak_p50_ms: p(peak.uploads, 0.5),
    peak_p99_ms: p(peak.uploads, 0.99),
    quiet_trace_p99_ms: p(quietTraces, 0.99),
    peak_trace_p50_ms: p(peakTraces, 0.5),
    peak_trace_p99_ms: p(peakTraces, 0.99),
    quiet_certificate_p99_ms: p(quietCertificates, 0.99),
    peak_certificate_p99_ms: p(peakCertificates, 0.99),
    peak_lock_waits: lockWaits,
    peak_event_loop_delay_p99_ms: round2(loopDelay.percentile(99) / 1e6),
    peak_event_loop_delay_max_ms: round2(loopDelay.max / 1e6),
  };
}
