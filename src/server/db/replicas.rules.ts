/**
 * Which database a read goes to, and whether the server is ready (docs/operations.md, "Read replicas"). Pure: the
 * lag samples, the time of the caller's last write and the clock come in; the choice comes out.
 */

/** A replica as last sampled: its lag in milliseconds, or null when it could not be reached or measured. */
export interface ReplicaState {
  readonly lagMs: number | null;
}

/** What one lag sample query returned (see `replicaLagQuery` in replicas.ts). */
export interface LagSample {
  readonly inRecovery: boolean;
  readonly lagMs: number | null;
}

/**
 * A sample's lag, or null when the server is not one to read from: not in recovery (promoted, or a primary named
 * by mistake — it no longer follows the primary), or behind with no replayed transaction to measure from.
 */
export function lagOf(sample: LagSample): number | null {
  if (!sample.inRecovery || sample.lagMs === null || !Number.isFinite(sample.lagMs)) return null;
  return Math.max(0, Math.round(sample.lagMs));
}

export const usable = (replica: ReplicaState, maxLagMs: number): boolean =>
  replica.lagMs !== null && replica.lagMs <= maxLagMs;

export interface ReadRequest {
  /** The route reads only and declared `reads: 'replica'`. */
  readonly replicaRoute: boolean;
  readonly replicas: readonly ReplicaState[];
  readonly maxLagMs: number;
  /** When the same user or session last wrote (ms since the epoch), if it did in this process. */
  readonly lastWriteAt: number | undefined;
  readonly stickyMs: number;
  readonly now: number;
  /** A counter that turns the round robin: each call gives the next usable replica. */
  readonly turn: number;
}

export type PrimaryReason = 'route' | 'no_replica' | 'own_write' | 'replicas_behind';
export type ReadTarget =
  | { readonly target: 'primary'; readonly reason: PrimaryReason }
  | { readonly target: 'replica'; readonly index: number };

/**
 * The primary for every route that did not declare replica reads; else the primary while the caller's own write is
 * within the sticky window (read-your-own-write), or when no replica is within the lag bound; else the usable
 * replicas in turn.
 */
export function chooseReadTarget(request: ReadRequest): ReadTarget {
  if (!request.replicaRoute) return { target: 'primary', reason: 'route' };
  if (request.replicas.length === 0) return { target: 'primary', reason: 'no_replica' };
  if (request.lastWriteAt !== undefined && request.now - request.lastWriteAt < request.stickyMs) {
    return { target: 'primary', reason: 'own_write' };
  }
  const candidates = request.replicas.flatMap((replica, index) => (usable(replica, request.maxLagMs) ? [index] : []));
  const index = candidates[request.turn % Math.max(1, candidates.length)];
  return index === undefined ? { target: 'primary', reason: 'replicas_behind' } : { target: 'replica', index };
}

/** Why the server is not ready, by stable code; none: ready. */
export type ReadinessFailure =
  | { readonly code: 'database_unreachable' }
  | { readonly code: 'migrations_pending'; readonly pending: readonly string[] }
  | { readonly code: 'replica_unreachable'; readonly replica: number }
  | {
      readonly code: 'replica_lagging';
      readonly replica: number;
      readonly lag_ms: number;
      readonly max_lag_ms: number;
    };

export function readinessFailures(facts: {
  readonly databaseAnswers: boolean;
  /** Migration files not applied (null: not known, as the database did not answer). */
  readonly pendingMigrations: readonly string[] | null;
  readonly replicas: readonly ReplicaState[];
  readonly maxLagMs: number;
}): ReadinessFailure[] {
  const failures: ReadinessFailure[] = [];
  if (!facts.databaseAnswers) failures.push({ code: 'database_unreachable' });
  if (facts.pendingMigrations && facts.pendingMigrations.length > 0) {
    failures.push({ code: 'migrations_pending', pending: facts.pendingMigrations });
  }
  facts.replicas.forEach((replica, index) => {
    if (replica.lagMs === null) failures.push({ code: 'replica_unreachable', replica: index });
    else if (replica.lagMs > facts.maxLagMs) {
      failures.push({ code: 'replica_lagging', replica: index, lag_ms: replica.lagMs, max_lag_ms: facts.maxLagMs });
    }
  });
  return failures;
}

/** Files not yet applied, in the order they will be. */
export function pendingMigrations(files: readonly string[], applied: ReadonlySet<string>): string[] {
  return files.filter((name) => !applied.has(name)).sort();
}

/** A database URL as logs may show it: host, port and database, never the user's password. */
export function describeDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}${parsed.port ? `:${parsed.port}` : ''}${parsed.pathname}`;
  } catch {
    return '(unparsable URL)';
  }
}
