import type { Executor } from '../../db/executor.ts';
import { displayNames } from '../auth/index.ts';
import { listRevisions } from './revisions.repository.ts';

/** A record's versions, newest first, each naming who made it. The caller checks the record is visible. */
export async function revisionHistory(
  db: Executor,
  entity: 'enterprise' | 'designation' | 'product',
  entityId: string,
) {
  const rows = await listRevisions(db, entity, entityId);
  const names = await displayNames(
    db,
    rows.map((row) => row.changed_by),
  );
  return rows.map((row) => ({
    version: row.version,
    data: row.data,
    changed_by: row.changed_by,
    changed_by_name: names.get(row.changed_by) ?? 'system',
    changed_at: row.changed_at.toISOString(),
  }));
}
