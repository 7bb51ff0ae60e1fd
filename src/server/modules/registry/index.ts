import type { Executor } from '../../db/executor.ts';
import type { LicenceRecord } from '../../db/schema.ts';
import { toKg } from '../../shared/quantity.ts';
import { allocationFacts, findById } from './enterprises.repository.ts';

export { getEnterprise } from './enterprises.service.ts';
export { enterpriseVisible } from './scope.ts';
export { listAuthorities } from './reference.service.ts';
import { listGroups } from './reference.service.ts';

export async function groupNames(db: Executor): Promise<Map<string, string>> {
  return new Map((await listGroups(db)).map((group) => [group.id, group.name]));
}

export interface EnterpriseFacts {
  readonly id: string;
  readonly name: string;
  readonly kind: 'mining' | 'separation' | 'both';
  readonly group_id: string | null;
  readonly domicile_code: string;
  readonly mining_capacity_reo_kg: number;
  readonly separation_capacity_reo_kg: number;
  readonly technical_score: number;
  readonly environment_score: number;
  readonly safety_score: number;
  readonly licences: readonly LicenceRecord[];
  readonly designated_scopes: readonly string[];
}

/** What the allocation engine needs to know of every enterprise, as of a date. */
export async function enterpriseFacts(db: Executor, onDate: string): Promise<EnterpriseFacts[]> {
  const rows = await allocationFacts(db, onDate);
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    kind: row.kind,
    group_id: row.group_id,
    domicile_code: row.domicile_code,
    mining_capacity_reo_kg: toKg(row.mining_capacity_reo_kg_per_year),
    separation_capacity_reo_kg: toKg(row.separation_capacity_reo_kg_per_year),
    technical_score: row.technical_score,
    environment_score: row.environment_score,
    safety_score: row.safety_score,
    licences: row.licences,
    designated_scopes: row.designated_scopes ?? [],
  }));
}

export async function enterpriseExists(db: Executor, id: string): Promise<boolean> {
  return (await findById(db, id)) !== undefined;
}
export { divisionsWithAncestors } from './reference.repository.ts';
