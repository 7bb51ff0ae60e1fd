import type { OversightRuleName, ThresholdName } from '../../../contracts/oversight.ts';
import { groupBy } from '../../shared/group-by.ts';

/**
 * The oversight alert rules (Art. 15), each a pure function of facts the repository read. A rule returns
 * candidates with a stable key: an alert is stored once per key, so running the rules again finds nothing new
 * until something new happens.
 */

export interface AlertCandidate {
  readonly key: string;
  readonly rule: OversightRuleName;
  readonly subject_type: string;
  readonly subject_id: string;
  /** The user the alert is about, where there is one. */
  readonly actor_id: string | null;
  readonly summary: string;
  readonly evidence: Record<string, unknown>;
  readonly occurred_at: Date;
}

export type Thresholds = Readonly<Record<ThresholdName, number>>;

/** One audit entry about an object, as the rules need it. */
export interface TrailEntry {
  readonly seq: number;
  readonly at: Date;
  readonly actor_id: string;
  readonly actor_login: string;
  readonly action: string;
  readonly before: unknown;
  readonly after: unknown;
}

/** Figures by key (category, or holder), in kg. */
export type Figures = ReadonlyMap<string, number>;

const SYSTEM = 'system';
const EVIDENCE_LIMIT = 20;

function sameFigures(a: Figures, b: Figures): boolean {
  if (a.size !== b.size) return false;
  for (const [key, value] of a) if (b.get(key) !== value) return false;
  return true;
}

/** Figures as a short stable text: `a=1,b=2`, sorted by key (part of an alert key). */
export function figuresText(figures: Figures): string {
  return [...figures]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}

function figuresObject(figures: Figures): Record<string, number> {
  return Object.fromEntries([...figures].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** `[{key, value}]` in an audit entry's JSON → figures (entries that are not whole numbers are left out). */
export function figuresOf(items: unknown, keyField: string, valueField: string, skipZero = false): Figures | null {
  if (!Array.isArray(items)) return null;
  const figures = new Map<string, number>();
  for (const item of items as Record<string, unknown>[]) {
    const key = item[keyField];
    const value = item[valueField];
    if (typeof key !== 'string' || typeof value !== 'number' || !Number.isSafeInteger(value)) continue;
    if (skipZero && value === 0) continue;
    figures.set(key, value);
  }
  return figures;
}

// ---- (1) an approved figure changed ----------------------------------------------------------------------

export interface ApprovedBatchFacts {
  readonly id: string;
  readonly name: string;
  /** The totals now in batch_category_total, by category. */
  readonly current: Figures;
  /** The batch's audit entries, in sequence order. */
  readonly trail: readonly TrailEntry[];
}

export interface ApprovedRunFacts {
  readonly id: string;
  readonly category: string;
  readonly level: string;
  /** The shares now in allocation_share (none of zero), by holder. */
  readonly current: Figures;
  readonly trail: readonly TrailEntry[];
}

/**
 * An approved batch whose totals are not those its approval entry recorded, or whose totals an audit entry
 * changed after approval; an approved allocation run whose shares are not those proposed (and so approved).
 * The database refuses changes to approved totals, so this finds what went round the application.
 */
export function approvedFigureChanged(
  batches: readonly ApprovedBatchFacts[],
  runs: readonly ApprovedRunFacts[],
): AlertCandidate[] {
  const alerts: AlertCandidate[] = [];
  for (const batch of batches) {
    const approval = batch.trail.find((entry) => entry.action === 'indicator.batch.approve');
    if (!approval) continue;
    const approved = figuresOf((approval.after as { totals?: unknown } | null)?.totals, 'category', 'total_reo_kg');
    if (approved && !sameFigures(approved, batch.current)) {
      alerts.push({
        key: `approved_figure_changed:indicator_batch:${batch.id}:${figuresText(batch.current)}`,
        rule: 'approved_figure_changed',
        subject_type: 'indicator_batch',
        subject_id: batch.id,
        actor_id: null,
        summary: `The totals of approved batch ${batch.name} are not those recorded at its approval`,
        evidence: {
          approved_totals: figuresObject(approved),
          current_totals: figuresObject(batch.current),
          approval_seq: approval.seq,
          approved_by: approval.actor_login,
        },
        occurred_at: approval.at,
      });
    }
    for (const entry of batch.trail) {
      if (entry.seq <= approval.seq || entry.action !== 'indicator.batch.totals') continue;
      alerts.push({
        key: `approved_figure_changed:audit:${entry.seq}`,
        rule: 'approved_figure_changed',
        subject_type: 'indicator_batch',
        subject_id: batch.id,
        actor_id: entry.actor_id,
        summary: `${entry.actor_login} changed the totals of batch ${batch.name} after its approval`,
        evidence: { audit_seq: entry.seq, approval_seq: approval.seq, before: entry.before, after: entry.after },
        occurred_at: entry.at,
      });
    }
  }
  for (const run of runs) {
    const proposal = run.trail.find((entry) => entry.action === 'allocation.run.propose');
    const proposed = figuresOf((proposal?.after as { shares?: unknown } | null)?.shares, 'holder_id', 'reo_kg', true);
    if (!proposal || !proposed || sameFigures(proposed, run.current)) continue;
    const approval = run.trail.find((entry) => entry.action === 'allocation.run.approve');
    alerts.push({
      key: `approved_figure_changed:allocation_run:${run.id}:${figuresText(run.current)}`,
      rule: 'approved_figure_changed',
      subject_type: 'allocation_run',
      subject_id: run.id,
      actor_id: null,
      summary: `The shares of approved allocation run ${run.category} (${run.level}) are not those approved`,
      evidence: {
        differences: differences(proposed, run.current).slice(0, EVIDENCE_LIMIT),
        proposal_seq: proposal.seq,
        approval_seq: approval?.seq ?? null,
      },
      occurred_at: approval?.at ?? proposal.at,
    });
  }
  return alerts;
}

function differences(expected: Figures, actual: Figures) {
  const keys = [...new Set([...expected.keys(), ...actual.keys()])].sort();
  return keys
    .map((key) => ({
      holder_id: key,
      expected_reo_kg: expected.get(key) ?? 0,
      actual_reo_kg: actual.get(key) ?? 0,
      difference_reo_kg: (actual.get(key) ?? 0) - (expected.get(key) ?? 0),
    }))
    .filter((row) => row.difference_reo_kg !== 0);
}

// ---- (2) an allocation differing from the engine's result without a recorded reason ------------------------

export interface ManualRunFacts {
  readonly id: string;
  readonly status: string;
  readonly category: string;
  readonly level: string;
  readonly created_by: string;
  readonly created_at: Date;
  readonly shares: Figures;
  /** What the engine gives on the run's own input; null when the engine refuses that input. */
  readonly engine: Figures | null;
  /** The reason recorded with the run (`allocation_run.reason`, required by the application when it differs). */
  readonly reason: string | null;
}

export function allocationDiffersFromEngine(runs: readonly ManualRunFacts[]): AlertCandidate[] {
  return runs.flatMap((run): AlertCandidate[] => {
    if (!run.engine || (run.reason?.trim().length ?? 0) > 0) return [];
    const nonZero = (figures: Figures) => new Map([...figures].filter(([, value]) => value !== 0));
    const rows = differences(nonZero(run.engine), nonZero(run.shares));
    if (rows.length === 0) return [];
    const moved = rows.reduce((sum, row) => sum + Math.max(0, row.difference_reo_kg), 0);
    return [
      {
        key: `allocation_differs_from_engine:${run.id}`,
        rule: 'allocation_differs_from_engine',
        subject_type: 'allocation_run',
        subject_id: run.id,
        actor_id: run.created_by,
        summary: `A manual allocation (${run.category}, ${run.level}) moves ${moved} kg REO away from the engine's result, with no reason recorded`,
        evidence: {
          status: run.status,
          holders_differing: rows.length,
          moved_reo_kg: moved,
          differences: rows.slice(0, EVIDENCE_LIMIT).map(({ holder_id, expected_reo_kg, actual_reo_kg }) => ({
            holder_id,
            engine_reo_kg: expected_reo_kg,
            manual_reo_kg: actual_reo_kg,
          })),
        },
        occurred_at: run.created_at,
      },
    ];
  });
}

// ---- (3) a filing accepted after its deadline without a reason ----------------------------------------------

export interface CompilationFacts {
  readonly id: string;
  readonly division_code: string;
  readonly period: string;
  readonly version: number;
  readonly compiled_by: string;
  readonly compiled_at: Date;
  readonly children: readonly {
    readonly kind: string;
    readonly id: string;
    readonly code: string;
    readonly name: string;
    readonly late: boolean;
  }[];
  readonly absent: readonly { readonly code: string; readonly status: string; readonly reason: string }[];
}

export interface LateDeclarationFacts {
  readonly enterprise_id: string;
  readonly period: string;
  readonly sealed_by: string;
  readonly sealed_at: Date;
  /** The note an official recorded on the declaration's `declaration_late` anomaly, if any. */
  readonly explanation: string | null;
}

/**
 * A late report or forwarded compilation taken into a compilation with no reason for its lateness (compiling
 * asks for one, so this finds what went round it); a month declared after the 10th that no official has
 * explained (the reason is the note on its `declaration_late` anomaly).
 */
export function lateFilingWithoutReason(
  compilations: readonly CompilationFacts[],
  declarations: readonly LateDeclarationFacts[],
): AlertCandidate[] {
  const alerts: AlertCandidate[] = [];
  for (const compilation of compilations) {
    for (const child of compilation.children) {
      if (!child.late) continue;
      const explained = compilation.absent.some(
        (item) => item.code === child.code && item.status === 'late' && item.reason.trim().length > 0,
      );
      if (explained) continue;
      alerts.push({
        key: `late_filing_without_reason:compilation:${compilation.id}:${child.code}`,
        rule: 'late_filing_without_reason',
        subject_type: child.kind,
        subject_id: child.code,
        actor_id: null,
        summary: `${child.name}'s late ${child.kind} was compiled into ${compilation.division_code} ${compilation.period} without a reason`,
        evidence: {
          compilation_id: compilation.id,
          division_code: compilation.division_code,
          period: compilation.period,
          version: compilation.version,
          compiled_by: compilation.compiled_by,
          child: { kind: child.kind, id: child.id, code: child.code, name: child.name },
        },
        occurred_at: compilation.compiled_at,
      });
    }
  }
  for (const declaration of declarations) {
    if ((declaration.explanation?.trim().length ?? 0) > 0) continue;
    alerts.push({
      key: `late_filing_without_reason:declaration:${declaration.enterprise_id}:${declaration.period}`,
      rule: 'late_filing_without_reason',
      subject_type: 'declaration',
      subject_id: `${declaration.enterprise_id}:${declaration.period}`,
      actor_id: null,
      summary: `The ${declaration.period} declaration was sealed after its deadline and no official has recorded why`,
      evidence: {
        enterprise_id: declaration.enterprise_id,
        period: declaration.period,
        sealed_by: declaration.sealed_by,
        sealed_at: declaration.sealed_at.toISOString(),
      },
      occurred_at: declaration.sealed_at,
    });
  }
  return alerts;
}

// ---- (4) repeated denied access attempts, (5) unusually large exports ---------------------------------------

export interface EventFacts {
  readonly id: string;
  readonly at: Date;
  readonly actor_id: string | null;
  readonly actor_login: string | null;
  readonly ip: string;
  readonly route: string;
  readonly status: number;
  readonly request_id: string;
  readonly bytes: number | null;
}

/**
 * Bursts: runs of at least `count` events within `windowMinutes` of the first, taken greedily from the oldest
 * (events in time order). Each burst is reported once, keyed by its first event.
 */
export function bursts<T extends { readonly at: Date }>(
  events: readonly T[],
  count: number,
  windowMinutes: number,
): T[][] {
  const found: T[][] = [];
  const windowMs = windowMinutes * 60_000;
  let start = 0;
  while (start < events.length) {
    let end = start;
    while (end + 1 < events.length && events[end + 1]!.at.getTime() - events[start]!.at.getTime() <= windowMs) end += 1;
    if (end - start + 1 >= count) {
      found.push(events.slice(start, end + 1));
      start = end + 1;
    } else start += 1;
  }
  return found;
}

function eventSample(events: readonly EventFacts[]) {
  return events.slice(0, EVIDENCE_LIMIT).map((event) => ({
    at: event.at.toISOString(),
    route: event.route,
    status: event.status,
    ip: event.ip,
    request_id: event.request_id,
  }));
}

/**
 * `denied_attempts` refusals within `denied_window_minutes`: by one signed-in user, or — for requests with no
 * known user (anonymous, or credentials that did not hold) — from one client address.
 */
export function repeatedDenials(denials: readonly EventFacts[], thresholds: Thresholds): AlertCandidate[] {
  const alerts: AlertCandidate[] = [];
  const subjects: [string, Map<string, EventFacts[]>][] = [
    ['user', groupBy(denials, (event) => event.actor_id)],
    ['ip', groupBy(denials, (event) => (event.actor_id === null ? event.ip : null))],
  ];
  for (const [kind, groups] of subjects) {
    for (const [subject, events] of groups) {
      for (const burst of bursts(events, thresholds.denied_attempts, thresholds.denied_window_minutes)) {
        const first = burst[0]!;
        const last = burst.at(-1)!;
        const who = kind === 'user' ? (first.actor_login ?? subject) : `address ${subject}`;
        alerts.push({
          key: `repeated_denials:${kind}:${subject}:${first.id}`,
          rule: 'repeated_denials',
          subject_type: kind,
          subject_id: subject,
          actor_id: kind === 'user' ? subject : null,
          summary: `${who} was refused ${burst.length} times between ${first.at.toISOString()} and ${last.at.toISOString()}`,
          evidence: {
            count: burst.length,
            from: first.at.toISOString(),
            to: last.at.toISOString(),
            addresses: [...new Set(burst.map((event) => event.ip))],
            routes: [...new Set(burst.map((event) => event.route))].slice(0, EVIDENCE_LIMIT),
            events: eventSample(burst),
          },
          occurred_at: first.at,
        });
      }
    }
  }
  return alerts;
}

export interface ReportExportFacts {
  readonly request_id: string;
  readonly at: Date;
  readonly actor_id: string;
  readonly actor_login: string;
  readonly object_type: string;
  readonly object_id: string;
  readonly rows: number;
  readonly format: string;
}

/**
 * One export above `export_max_bytes` (any file of data, from the security event log) or above
 * `export_max_rows` (report exports, whose audit entries count their rows); or `exports_per_window` exports by
 * one user within `export_window_minutes`.
 */
export function largeExports(
  exports: readonly EventFacts[],
  reportExports: readonly ReportExportFacts[],
  thresholds: Thresholds,
): AlertCandidate[] {
  const alerts = new Map<string, AlertCandidate>();
  for (const event of exports) {
    if (event.bytes === null || event.bytes <= thresholds.export_max_bytes) continue;
    const key = `large_export:request:${event.request_id}`;
    alerts.set(key, {
      key,
      rule: 'large_export',
      subject_type: 'export',
      subject_id: event.request_id,
      actor_id: event.actor_id,
      summary: `${event.actor_login ?? 'someone'} exported ${event.bytes} bytes from ${event.route} (more than ${thresholds.export_max_bytes})`,
      evidence: { route: event.route, bytes: event.bytes, ip: event.ip, at: event.at.toISOString() },
      occurred_at: event.at,
    });
  }
  for (const entry of reportExports) {
    if (entry.rows <= thresholds.export_max_rows) continue;
    const key = `large_export:request:${entry.request_id}`;
    const earlier = alerts.get(key);
    alerts.set(key, {
      key,
      rule: 'large_export',
      subject_type: 'export',
      subject_id: entry.request_id,
      actor_id: entry.actor_id,
      summary: `${entry.actor_login} exported ${entry.rows} rows of ${entry.object_type} ${entry.object_id} (more than ${thresholds.export_max_rows})`,
      evidence: {
        ...earlier?.evidence,
        rows: entry.rows,
        format: entry.format,
        object_type: entry.object_type,
        object_id: entry.object_id,
        at: entry.at.toISOString(),
      },
      occurred_at: entry.at,
    });
  }
  for (const [actor, events] of groupBy(exports, (event) => event.actor_id)) {
    for (const burst of bursts(events, thresholds.exports_per_window, thresholds.export_window_minutes)) {
      const first = burst[0]!;
      const key = `large_export:burst:${actor}:${first.id}`;
      alerts.set(key, {
        key,
        rule: 'large_export',
        subject_type: 'user',
        subject_id: actor,
        actor_id: actor,
        summary: `${first.actor_login ?? actor} made ${burst.length} exports within ${thresholds.export_window_minutes} minutes`,
        evidence: {
          count: burst.length,
          bytes: burst.reduce((sum, event) => sum + (event.bytes ?? 0), 0),
          from: first.at.toISOString(),
          to: burst.at(-1)!.at.toISOString(),
          events: eventSample(burst),
        },
        occurred_at: first.at,
      });
    }
  }
  return [...alerts.values()];
}

// ---- (6) the same person drafting and approving ------------------------------------------------------------

export interface DutyFacts {
  readonly subject_type: 'indicator_batch' | 'allocation_run' | 'account_grant';
  readonly subject_id: string;
  readonly name: string;
  /** Who drafted, edited, submitted or proposed it: from its columns and its audit entries. */
  readonly drafters: readonly { readonly user_id: string; readonly how: string }[];
  /** Who approved it (or recorded its approval). */
  readonly approvers: readonly { readonly user_id: string; readonly how: string; readonly at: Date | null }[];
}

/** Separation of duties: the application refuses it, the rule checks the records anyway. */
export function samePersonDraftedAndApproved(objects: readonly DutyFacts[]): AlertCandidate[] {
  const alerts: AlertCandidate[] = [];
  for (const object of objects) {
    const approvers = groupBy(object.approvers, (item) => (item.user_id === SYSTEM ? null : item.user_id));
    for (const [user, approvals] of approvers) {
      const drafted = object.drafters.filter((item) => item.user_id === user);
      if (drafted.length === 0) continue;
      alerts.push({
        key: `same_person_drafted_and_approved:${object.subject_type}:${object.subject_id}:${user}`,
        rule: 'same_person_drafted_and_approved',
        subject_type: object.subject_type,
        subject_id: object.subject_id,
        actor_id: user,
        summary: `The same person drafted and approved ${object.name}`,
        evidence: {
          user_id: user,
          drafted: [...new Set(drafted.map((item) => item.how))],
          approved: [...new Set(approvals.map((item) => item.how))],
        },
        occurred_at: approvals.find((item) => item.at)?.at ?? new Date(0),
      });
    }
  }
  return alerts;
}
