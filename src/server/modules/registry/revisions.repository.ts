import type { Executor } from '../../db/executor.ts';

/** Registry history: each change appends the record's whole new state. */
export async function insertRevision(
  db: Executor,
  revision: {
    entity: 'enterprise' | 'designation' | 'product';
    entity_id: string;
    version: number;
    data: unknown;
    changed_by: string;
  },
): Promise<void> {
  await db
    .insertInto('registry_revision')
    .values({ ...revision, data: JSON.stringify(revision.data) })
    .execute();
}

export function listRevisions(db: Executor, entity: 'enterprise' | 'designation' | 'product', entityId: string) {
  return db
    .selectFrom('registry_revision')
    .select(['version', 'data', 'changed_by', 'changed_at'])
    .where('entity', '=', entity)
    .where('entity_id', '=', entityId)
    .orderBy('version', 'desc')
    .execute();
}
