import type { Executor } from '../../db/executor.ts';
import { conflict, notFound } from '../../shared/errors.ts';
import { recordAudit, type AuditContext } from '../audit/index.ts';
import type { Scope } from '../auth/index.ts';
import { localAuthorities, NATIONAL_AUTHORITIES } from './authorities.rules.ts';
import { loadDivisionTree } from './divisions.source.ts';
import * as repo from './reference.repository.ts';

/**
 * Reference data every database needs: the division tree, the ministries, and the departments of every
 * province. Runs at each start; does nothing (and records nothing) when it is there already.
 */
export async function ensureReferenceData(db: Executor, context: AuditContext): Promise<{ divisions: number }> {
  if ((await repo.countDivisions(db)) === 0) {
    await db.transaction().execute(async (tx) => {
      const tree = loadDivisionTree();
      const authorities = [
        ...NATIONAL_AUTHORITIES,
        ...tree.filter((division) => division.level === 'province').flatMap(localAuthorities),
      ];
      await repo.insertDivisions(tx, tree);
      await repo.insertAuthorities(tx, authorities);
      await recordAudit(tx, context, {
        action: 'reference.load',
        objectType: 'reference_data',
        objectId: 'divisions',
        after: { divisions: tree.length, authorities: authorities.length },
      });
    });
  }
  return { divisions: await repo.countDivisions(db) };
}

/** A county with an enterprise needs departments at the county, its prefecture and its province. */
export async function ensureAuthoritiesFor(db: Executor, countyCode: string): Promise<void> {
  const path = await repo.divisionPath(db, countyCode);
  await repo.insertAuthorities(db, path.flatMap(localAuthorities));
}

export async function listDivisions(db: Executor, filter: Parameters<typeof repo.listDivisions>[1]) {
  return repo.listDivisions(db, filter);
}

export async function getDivision(db: Executor, code: string) {
  const division = await repo.getDivision(db, code);
  if (!division) throw notFound(`Administrative division ${code}`);
  return { ...division, path: await repo.divisionPath(db, code) };
}

export function listAuthorities(db: Executor, divisionCode?: string) {
  return repo.listAuthorities(db, divisionCode);
}

export async function listGroups(db: Executor, scope: Scope = { kind: 'national' }) {
  return (await repo.listGroups(db, scope)).map((row) => ({
    ...row,
    enterprise_count: Number(row.enterprise_count ?? 0),
  }));
}

export async function createGroup(db: Executor, context: AuditContext, group: { id: string; name: string }) {
  return db.transaction().execute(async (tx) => {
    if (await repo.getGroup(tx, group.id))
      throw conflict(`Group ${group.id} exists already.`, [{ field: 'id', message: 'is taken' }]);
    await repo.insertGroup(tx, group);
    await recordAudit(tx, context, {
      action: 'group.create',
      objectType: 'enterprise_group',
      objectId: group.id,
      after: group,
    });
    return { ...group, enterprise_count: 0 };
  });
}
