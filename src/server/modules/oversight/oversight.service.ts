import type { z } from 'zod';
import {
  thresholdNames,
  type acknowledgeBody,
  type alertQuery,
  type OversightAlert,
  type RuleRun,
  type securityEventQuery,
  type ThresholdName,
} from '../../../contracts/oversight.ts';
import type { Page } from '../../../contracts/common.ts';
import type { Executor } from '../../db/executor.ts';
import { conflict, DomainError, notFound } from '../../shared/errors.ts';
import { recordAudit, sealPendingAudit, type AuditContext } from '../audit/index.ts';
import type { Actor } from '../auth/index.ts';
import { allocate, type AllocationInput } from '../allocation/allocation.rules.ts';
import { engineCategory } from '../allocation/holders.rules.ts';
import * as repo from './oversight.repository.ts';
import {
  allocationDiffersFromEngine,
  approvedFigureChanged,
  largeExports,
  lateFilingWithoutReason,
  repeatedDenials,
  samePersonDraftedAndApproved,
  type AlertCandidate,
  type DutyFacts,
  type EventFacts,
  type Figures,
  type Thresholds,
  type TrailEntry,
} from './oversight.rules.ts';
import { listSecurityEvents as listEvents, securityEventsSince } from './security-events.repository.ts';

/** At most this many security events of a kind are judged per run (the newest are kept for the next run). */
const EVENT_LIMIT = 100_000;

export async function currentThresholds(db: Executor): Promise<Thresholds> {
  const rows = await repo.thresholds(db);
  const values = new Map(rows.map((row) => [row.name, row.value]));
  return Object.fromEntries(thresholdNames.map((name) => [name, values.get(name) ?? 1])) as Thresholds;
}

/**
 * Evaluates every rule and stores the alerts not found before; audited as one entry. The rules read the sealed
 * chain, so what is committed and still pending is sealed first (ADR 0011). `db`: never a transaction.
 */
export async function runRules(db: Executor, audit: AuditContext, now = new Date()): Promise<RuleRun> {
  await sealPendingAudit(db);
  const thresholds = await currentThresholds(db);
  const since = new Date(now.getTime() - thresholds.lookback_days * 86_400_000);
  const candidates = [
    ...(await figureAndDutyAlerts(db)),
    ...(await manualAllocationAlerts(db)),
    ...(await lateFilingAlerts(db, since)),
    ...(await eventAlerts(db, since, thresholds)),
  ];
  const unique = [...new Map(candidates.map((alert) => [alert.key, alert])).values()];
  return db.transaction().execute(async (tx) => {
    const inserted = await repo.insertAlerts(tx, unique);
    const counts = {
      approved_figure_changed: 0,
      allocation_differs_from_engine: 0,
      late_filing_without_reason: 0,
      repeated_denials: 0,
      large_export: 0,
      same_person_drafted_and_approved: 0,
    } satisfies RuleRun['new_alerts'];
    for (const rule of inserted) counts[rule as keyof typeof counts] += 1;
    const run: RuleRun = { new_alerts: counts, total_new: inserted.length, ran_at: now.toISOString() };
    await recordAudit(tx, audit, {
      action: 'oversight.run',
      objectType: 'oversight_run',
      objectId: run.ran_at,
      after: run,
    });
    return run;
  });
}

const is =
  (...actions: string[]) =>
  (entry: TrailEntry) =>
    actions.includes(entry.action);

/** Rules (1) and (6): approved batches, runs and account grants against their audit trails. */
async function figureAndDutyAlerts(db: Executor): Promise<AlertCandidate[]> {
  const batches = await repo.approvedBatches(db);
  const runs = (await repo.liveRuns(db)).filter((run) => run.status === 'approved' || run.status === 'issued');
  const batchTrails = await repo.trailsOf(
    db,
    'indicator_batch',
    batches.map((batch) => batch.id),
  );
  const runTrails = await repo.trailsOf(
    db,
    'allocation_run',
    runs.map((run) => run.id),
  );
  const figures = approvedFigureChanged(
    batches.map((batch) => ({
      id: batch.id,
      name: batch.name,
      current: batch.current,
      trail: batchTrails.get(batch.id) ?? [],
    })),
    runs.map((run) => ({
      id: run.id,
      category: run.category,
      level: run.level,
      current: run.shares,
      trail: runTrails.get(run.id) ?? [],
    })),
  );
  const duties: DutyFacts[] = [
    ...batches.map((batch): DutyFacts => {
      const trail = batchTrails.get(batch.id) ?? [];
      return {
        subject_type: 'indicator_batch',
        subject_id: batch.id,
        name: `indicator batch ${batch.name}`,
        drafters: [
          { user_id: batch.drafted_by, how: 'drafted' },
          ...(batch.submitted_by ? [{ user_id: batch.submitted_by, how: 'submitted' }] : []),
          ...trail
            .filter(is('indicator.batch.create', 'indicator.batch.totals', 'indicator.batch.submit'))
            .map((entry) => ({ user_id: entry.actor_id, how: `${entry.action} (audit #${entry.seq})` })),
        ],
        approvers: [
          ...(batch.approval_recorded_by
            ? [{ user_id: batch.approval_recorded_by, how: 'approval recorded', at: null }]
            : []),
          ...trail
            .filter(is('indicator.batch.approve'))
            .map((entry) => ({ user_id: entry.actor_id, how: `${entry.action} (audit #${entry.seq})`, at: entry.at })),
        ],
      };
    }),
    ...runs.map((run): DutyFacts => {
      const trail = runTrails.get(run.id) ?? [];
      return {
        subject_type: 'allocation_run',
        subject_id: run.id,
        name: `allocation run ${run.category} (${run.level})`,
        drafters: [
          { user_id: run.created_by, how: 'proposed' },
          ...trail
            .filter(is('allocation.run.propose'))
            .map((entry) => ({ user_id: entry.actor_id, how: `${entry.action} (audit #${entry.seq})` })),
        ],
        approvers: [
          ...(run.approved_by ? [{ user_id: run.approved_by, how: 'approved', at: run.approved_at }] : []),
          ...trail
            .filter(is('allocation.run.approve'))
            .map((entry) => ({ user_id: entry.actor_id, how: `${entry.action} (audit #${entry.seq})`, at: entry.at })),
        ],
      };
    }),
  ];
  // Two people for privileged accounts: the operator proposes, an official approves — never the same person.
  const grants = await repo.approvedGrants(db);
  const grantTrails = await repo.trailsOf(
    db,
    'account_grant',
    grants.map((grant) => grant.id),
  );
  for (const grant of grants) {
    const trail = grantTrails.get(grant.id) ?? [];
    duties.push({
      subject_type: 'account_grant',
      subject_id: grant.id,
      name: `the grant of ${grant.role} to ${grant.login}`,
      drafters: [
        { user_id: grant.proposed_by, how: 'proposed' },
        ...trail
          .filter(is('grant.propose'))
          .map((entry) => ({ user_id: entry.actor_id, how: `${entry.action} (audit #${entry.seq})` })),
      ],
      approvers: [
        ...(grant.decided_by ? [{ user_id: grant.decided_by, how: 'approved', at: grant.decided_at }] : []),
        ...trail
          .filter(is('grant.approve'))
          .map((entry) => ({ user_id: entry.actor_id, how: `${entry.action} (audit #${entry.seq})`, at: entry.at })),
      ],
    });
  }
  return [...figures, ...samePersonDraftedAndApproved(duties)];
}

/** Rule (2): each manual run against what the engine gives on the run's own stored input. */
async function manualAllocationAlerts(db: Executor): Promise<AlertCandidate[]> {
  const runs = (await repo.liveRuns(db)).filter((run) => run.mode === 'manual');
  return allocationDiffersFromEngine(
    runs.map((run) => {
      const stored = (run.input ?? {}) as Partial<AllocationInput> & { shares?: unknown; reason?: unknown };
      return {
        id: run.id,
        status: run.status,
        category: run.category,
        level: run.level,
        created_by: run.created_by,
        created_at: run.created_at,
        shares: run.shares,
        engine: engineShares(stored),
        reason: run.reason,
      };
    }),
  );
}

/** The engine's shares on a stored input, or null when the engine refuses it (then nothing is compared). */
function engineShares(stored: Partial<AllocationInput> & { shares?: unknown; reason?: unknown }): Figures | null {
  const { shares: _shares, reason: _reason, ...input } = stored;
  try {
    const result = allocate({ ...(input as AllocationInput), category: engineCategory(input.category as never) });
    return new Map(result.holders.map((holder) => [holder.id, holder.reo_kg]));
  } catch {
    return null;
  }
}

/** Rule (3): compilations and late declarations of the lookback. */
async function lateFilingAlerts(db: Executor, since: Date): Promise<AlertCandidate[]> {
  const compilations = await repo.compilationsSince(db, since);
  const declarations = await repo.lateDeclarationsSince(db, since);
  return lateFilingWithoutReason(
    compilations.map((row) => ({
      id: row.id,
      division_code: row.division_code,
      period: row.period_kind === 'year' ? row.period.slice(0, 4) : row.period.slice(0, 7),
      version: row.version,
      compiled_by: row.compiled_by,
      compiled_at: row.compiled_at,
      children: row.children.map((child) => ({
        kind: child.kind,
        id: child.id,
        code: child.code,
        name: child.name,
        late: child.late,
      })),
      absent: row.absent,
    })),
    declarations.map((row) => ({ ...row, period: row.period.slice(0, 7) })),
  );
}

/** Rules (4) and (5): the security event log, and the audit entries of report exports. */
async function eventAlerts(db: Executor, since: Date, thresholds: Thresholds): Promise<AlertCandidate[]> {
  const facts = (rows: Awaited<ReturnType<typeof securityEventsSince>>): EventFacts[] =>
    rows.map((row) => ({ ...row, bytes: row.bytes === null ? null : Number(row.bytes) }));
  const denials = facts(await securityEventsSince(db, 'denied', since, EVENT_LIMIT));
  const exports = facts(await securityEventsSince(db, 'export', since, EVENT_LIMIT));
  const reportExports = await repo.reportExportsSince(db, since);
  return [...repeatedDenials(denials, thresholds), ...largeExports(exports, reportExports, thresholds)];
}

// ---- alerts and thresholds -----------------------------------------------------------------------------------

type AlertRow = NonNullable<Awaited<ReturnType<typeof repo.findAlert>>>;
function alertView(row: AlertRow): OversightAlert {
  return {
    ...row,
    occurred_at: row.occurred_at.toISOString(),
    detected_at: row.detected_at.toISOString(),
    acknowledged_at: row.acknowledged_at?.toISOString() ?? null,
  };
}

export async function listAlerts(db: Executor, query: z.infer<typeof alertQuery>): Promise<Page<OversightAlert>> {
  const { rows, total } = await repo.listAlerts(
    db,
    { rule: query.rule, status: query.status, subjectType: query.subject_type, subjectId: query.subject_id },
    query.page_size,
    (query.page - 1) * query.page_size,
  );
  return { items: rows.map(alertView), total, page: query.page, page_size: query.page_size };
}

export async function getAlert(db: Executor, id: string): Promise<OversightAlert> {
  const row = await repo.findAlert(db, id);
  if (!row) throw notFound(`Alert ${id}`);
  return alertView(row);
}

/** Acknowledges an open alert with a note, checked against the version the reader saw; audited. */
export async function acknowledge(
  db: Executor,
  actor: Actor,
  audit: AuditContext,
  id: string,
  body: z.infer<typeof acknowledgeBody>,
): Promise<OversightAlert> {
  await db.transaction().execute(async (tx) => {
    const current = await repo.lockAlert(tx, id);
    if (!current) throw notFound(`Alert ${id}`);
    if (current.version !== body.expected_version)
      throw conflict(`The alert changed since you read it (version ${current.version}): reload and try again.`, [
        { field: 'expected_version', message: `is ${body.expected_version}, the alert is at ${current.version}` },
      ]);
    if (current.status !== 'open')
      throw new DomainError(
        409,
        'wrong_state',
        `The alert was acknowledged already by ${current.acknowledged_by ?? 'someone'}.`,
      );
    await repo.acknowledgeAlert(tx, id, current.version, actor.login, body.note);
    await recordAudit(tx, audit, {
      action: 'oversight.alert.acknowledge',
      objectType: 'oversight_alert',
      objectId: id,
      before: { status: current.status, version: current.version },
      after: {
        status: 'acknowledged',
        version: current.version + 1,
        note: body.note,
        rule: current.rule,
        key: current.key,
      },
    });
  });
  return getAlert(db, id);
}

export async function listThresholds(db: Executor) {
  const rows = await repo.thresholds(db);
  return {
    items: rows
      .filter((row): row is typeof row & { name: ThresholdName } => thresholdNames.includes(row.name as ThresholdName))
      .map((row) => ({ ...row, updated_at: row.updated_at.toISOString() })),
  };
}

/** Sets one threshold, checked against the version the reader saw; audited. */
export async function setThreshold(
  db: Executor,
  actor: Actor,
  audit: AuditContext,
  name: ThresholdName,
  body: { expected_version: number; value: number },
) {
  await db.transaction().execute(async (tx) => {
    const current = await repo.lockThreshold(tx, name);
    if (!current) throw notFound(`Threshold ${name}`);
    if (current.version !== body.expected_version)
      throw conflict(`The threshold changed since you read it (version ${current.version}): reload and try again.`, [
        { field: 'expected_version', message: `is ${body.expected_version}, the threshold is at ${current.version}` },
      ]);
    await repo.setThreshold(tx, name, body.value, current.version, actor.login);
    await recordAudit(tx, audit, {
      action: 'oversight.threshold.set',
      objectType: 'oversight_threshold',
      objectId: name,
      before: { value: current.value, version: current.version },
      after: { value: body.value, version: current.version + 1 },
    });
  });
  return listThresholds(db);
}

/** The security event log, newest first, keyset-paged. */
export async function listSecurityEvents(db: Executor, query: z.infer<typeof securityEventQuery>) {
  const rows = await listEvents(
    db,
    {
      kind: query.kind,
      actorId: query.actor_id,
      ip: query.ip,
      from: query.from ? new Date(query.from) : undefined,
      to: query.to ? new Date(query.to) : undefined,
      beforeId: query.before_id,
    },
    query.limit,
  );
  const items = rows.map((row) => ({
    ...row,
    id: Number(row.id),
    at: row.at.toISOString(),
    bytes: row.bytes === null ? null : Number(row.bytes),
  }));
  return { items, next_before_id: items.length === query.limit ? (items.at(-1)?.id ?? null) : null };
}
