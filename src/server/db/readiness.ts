import type { DatabaseHandle } from './database.ts';
import { pendingMigrationsOf } from './migrate.ts';
import type { ReplicaSet } from './replicas.ts';
import { readinessFailures, type ReadinessFailure } from './replicas.rules.ts';

/**
 * Why the server should not be sent traffic (none: ready), for /readyz: the database does not answer, migration
 * files are not applied, or a replica is unreachable or further behind than the bound. Replicas are sampled afresh.
 */
export async function readiness(
  database: DatabaseHandle,
  replicas: ReplicaSet | null,
  maxLagMs: number,
): Promise<ReadinessFailure[]> {
  let pending: string[] | null = null;
  try {
    pending = await pendingMigrationsOf(database.db);
  } catch {
    // The failure is the finding: the database does not answer.
  }
  await replicas?.sample();
  return readinessFailures({
    databaseAnswers: pending !== null,
    pendingMigrations: pending,
    replicas: replicas?.states() ?? [],
    maxLagMs,
  });
}
