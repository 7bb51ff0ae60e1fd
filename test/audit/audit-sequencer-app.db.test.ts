import { afterEach, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { AuditEntry, auditVerification } from '../../src/contracts/audit.ts';
import { auditSequencerOf, sealPendingAudit } from '../../src/server/modules/audit/index.ts';
import { startTestApp, type TestContext } from '../support/app.ts';

/**
 * The sequencer in the server (ADR 0011): a request that recorded entries answers once they are sealed (on a quiet
 * server); pending entries are listed first, reported by the verification and counted in /metrics.
 */

type AuditVerification = z.infer<typeof auditVerification>;

const metric = (body: string, name: string): number => {
  const line = body.split('\n').find((text) => text.startsWith(`${name} `));
  if (line === undefined) throw new Error(`no ${name} in /metrics`);
  return Number(line.slice(name.length + 1));
};

describe('the audit sequencer in the server', () => {
  let context: TestContext | undefined;
  afterEach(async () => {
    await context?.close();
    context = undefined;
  });

  it('seals a request’s entries before it answers, and counts the seal and its delay in /metrics', async () => {
    context = await startTestApp();
    const oversight = await context.as('oversight');
    const latest = await context.database.db
      .selectFrom('audit_entry')
      .selectAll()
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    // The sign-in's last step: the one-time code.
    expect(latest).toMatchObject({ action: 'auth.second_factor', actor_login: 'oversight' });
    expect(latest.seq).not.toBeNull();
    expect(latest.sealed_at).not.toBeNull();
    const verification = (await oversight.get('/api/v1/audit/verify')).json<AuditVerification>();
    expect(verification).toMatchObject({ ok: true, pending: { count: 0, oldest_at: null, stale: false } });
    const metrics = (await context.anonymous.get('/metrics')).body;
    expect(metric(metrics, 'monazite_audit_pending_entries')).toBe(0);
    expect(metric(metrics, 'monazite_audit_oldest_pending_seconds')).toBe(0);
    expect(metric(metrics, 'monazite_audit_sealed_total')).toBeGreaterThanOrEqual(1);
    expect(metric(metrics, 'monazite_audit_seal_delay_seconds_count')).toBeGreaterThanOrEqual(1);
  });

  it('shows a pending entry first, reports it in the verification and /metrics, until it is sealed', async () => {
    // No waiting after commit, and the sweep stopped: what the request records stays pending.
    context = await startTestApp({ AUDIT_SEAL_WAIT_MS: '0' });
    await auditSequencerOf(context.database.db)!.stop();
    const oversight = await context.as('oversight');

    const page = (await oversight.get('/api/v1/audit?limit=5')).json<{ items: AuditEntry[] }>();
    // The sign-in's two steps: the password, then the one-time code.
    expect(page.items[0]).toMatchObject({ action: 'auth.second_factor', seq: null, prev_hash: null, hash: null });
    expect(page.items[1]).toMatchObject({ action: 'auth.login', seq: null, prev_hash: null, hash: null });
    expect(page.items[2]?.seq).toEqual(expect.any(Number));
    const pending = (await oversight.get('/api/v1/audit/verify')).json<AuditVerification>();
    expect(pending).toMatchObject({ ok: true, pending: { count: 2, oldest_at: page.items[1]!.at, stale: false } });
    expect(metric((await context.anonymous.get('/metrics')).body, 'monazite_audit_pending_entries')).toBe(2);

    expect(await sealPendingAudit(context.database.db)).toBe(2);
    const sealed = (await oversight.get('/api/v1/audit/verify')).json<AuditVerification>();
    expect(sealed).toMatchObject({ ok: true, entries: pending.entries + 2, pending: { count: 0 } });
    const after = (await oversight.get('/api/v1/audit?limit=5')).json<{ items: AuditEntry[] }>();
    expect(after.items[0]).toMatchObject({ id: page.items[0]!.id, seq: sealed.last_seq, hash: sealed.last_hash });
    expect(metric((await context.anonymous.get('/metrics')).body, 'monazite_audit_pending_entries')).toBe(0);
  });
});
