import type { Enterprise, EnterpriseCreate, EnterprisePatch, EnterpriseQuery } from '../../../contracts/registry.ts';
import type { Executor } from '../../db/executor.ts';
import type { SecurityProfileRecord } from '../../db/schema.ts';
import { todayInShanghai } from '../../shared/clock.ts';
import { canonicalJson } from '../../shared/canonical-json.ts';
import { conflict, forbidden, invalidField, notFound } from '../../shared/errors.ts';
import { toKg } from '../../shared/quantity.ts';
import { writeCsv } from '../../shared/tabular.ts';
import { recordAudit, type AuditContext } from '../audit/index.ts';
import { isWithinDivision, scopeOf, type Actor } from '../auth/index.ts';
import * as repo from './enterprises.repository.ts';
import { insertRevision } from './revisions.repository.ts';
import { revisionHistory } from './revisions.service.ts';
import { ensureAuthoritiesFor } from './reference.service.ts';
import * as reference from './reference.repository.ts';

export function toEnterprise(row: repo.EnterpriseViewRow): Enterprise {
  return {
    id: row.id,
    credit_code: row.credit_code,
    name: row.name,
    kind: row.kind,
    domicile_code: row.domicile_code,
    domicile_name: row.domicile_name,
    group_id: row.group_id,
    group_name: row.group_name,
    mining_capacity_reo_kg_per_year: toKg(row.mining_capacity_reo_kg_per_year),
    separation_capacity_reo_kg_per_year: toKg(row.separation_capacity_reo_kg_per_year),
    technical_score: row.technical_score,
    environment_score: row.environment_score,
    safety_score: row.safety_score,
    licences: row.licences,
    security_profile: row.security_profile,
    designated_scopes: (row.designated_scopes ?? []) as Enterprise['designated_scopes'],
    version: row.version,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

export async function listEnterprises(db: Executor, actor: Actor, query: EnterpriseQuery) {
  const filter = { q: query.q, kind: query.kind, division: query.division, groupId: query.group_id };
  const { rows, total } = await repo.listEnterprises(
    db,
    scopeOf(actor),
    todayInShanghai(),
    filter,
    query.page_size,
    (query.page - 1) * query.page_size,
  );
  return { items: rows.map(toEnterprise), total, page: query.page, page_size: query.page_size };
}

/** Visible or not found: whether an enterprise outside one's scope exists is itself not disclosed. */
export async function getEnterprise(db: Executor, actor: Actor, id: string): Promise<Enterprise> {
  const row = await repo.getEnterprise(db, scopeOf(actor), todayInShanghai(), id);
  if (!row) throw notFound(`Enterprise ${id}`);
  return toEnterprise(row);
}

/** May this actor keep the register for an enterprise domiciled here? */
function assertMayWriteAt(actor: Actor, domicileCode: string): void {
  const scope = scopeOf(actor);
  if (scope.kind === 'national') return;
  if (scope.kind === 'division' && isWithinDivision(scope.divisionCode, domicileCode)) return;
  throw forbidden(`Division ${domicileCode} is outside your jurisdiction.`);
}

async function checkReferences(
  db: Executor,
  input: { domicile_code?: string | undefined; group_id?: string | null | undefined },
) {
  if (input.domicile_code !== undefined) {
    const division = await reference.getDivision(db, input.domicile_code);
    if (!division) throw invalidField('domicile_code', `no administrative division ${input.domicile_code}`);
    if (division.level !== 'county') {
      throw invalidField(
        'domicile_code',
        `${input.domicile_code} (${division.name}) is a ${division.level}; the domicile must be a county-level division`,
      );
    }
  }
  if (input.group_id) {
    const group = await reference.getGroup(db, input.group_id);
    if (!group) throw invalidField('group_id', `no enterprise group ${input.group_id}`);
  }
}

function storedFields(input: Omit<EnterpriseCreate, 'credit_code'> | EnterprisePatch) {
  const { licences, security_profile, ...rest } = input as Partial<EnterpriseCreate>;
  delete (rest as { expected_version?: number }).expected_version;
  return {
    ...rest,
    ...(licences !== undefined ? { licences: JSON.stringify(licences) } : {}),
    ...(security_profile !== undefined
      ? { security_profile: JSON.stringify(security_profile satisfies SecurityProfileRecord) }
      : {}),
  };
}

/** Which fields of a create request differ from the stored enterprise (empty: the same request again). */
function differences(existing: Enterprise, input: EnterpriseCreate): string[] {
  return (Object.keys(input) as (keyof EnterpriseCreate)[]).filter(
    (key) => canonicalJson(existing[key]) !== canonicalJson(input[key]),
  );
}

/**
 * Registers an enterprise. The credit code is the natural idempotency key: sending the same registration
 * again returns the enterprise as registered (200); a different one under the same code is a conflict.
 */
export async function createEnterprise(db: Executor, context: AuditContext, actor: Actor, input: EnterpriseCreate) {
  assertMayWriteAt(actor, input.domicile_code);
  await checkReferences(db, input);
  return db.transaction().execute(async (tx) => {
    const existing = await repo.findByCreditCode(tx, input.credit_code);
    if (existing) {
      const current = await getEnterprise(tx, actor, existing.id).catch(() => null);
      const changed = current ? differences(current, input) : ['credit_code'];
      if (current && changed.length === 0) return { enterprise: current, created: false };
      throw conflict(`An enterprise with credit code ${input.credit_code} is registered already.`, [
        {
          field: 'credit_code',
          message: `is registered already${changed.length ? ` (differs in ${changed.join(', ')})` : ''}`,
        },
      ]);
    }
    const id = await repo.insertEnterprise(tx, { credit_code: input.credit_code, ...storedFields(input) } as Parameters<
      typeof repo.insertEnterprise
    >[1]);
    await ensureAuthoritiesFor(tx, input.domicile_code);
    const enterprise = await getEnterprise(tx, actor, id);
    await insertRevision(tx, {
      entity: 'enterprise',
      entity_id: id,
      version: 1,
      data: enterprise,
      changed_by: actor.userId,
    });
    await recordAudit(tx, context, {
      action: 'enterprise.create',
      objectType: 'enterprise',
      objectId: id,
      after: enterprise,
    });
    return { enterprise, created: true };
  });
}

/** Changes an enterprise against the version the client saw; the previous state stays in the history. */
export async function updateEnterprise(
  db: Executor,
  context: AuditContext,
  actor: Actor,
  id: string,
  patch: EnterprisePatch,
  action = 'enterprise.update',
) {
  await checkReferences(db, patch);
  return db.transaction().execute(async (tx) => {
    const locked = await repo.lockEnterprise(tx, id);
    const before = locked ? await getEnterprise(tx, actor, id).catch(() => null) : null;
    if (!locked || !before) throw notFound(`Enterprise ${id}`);
    if (action === 'enterprise.update') {
      assertMayWriteAt(actor, locked.domicile_code);
      if (patch.domicile_code) assertMayWriteAt(actor, patch.domicile_code);
    }
    if (locked.version !== patch.expected_version) {
      throw conflict(
        `Enterprise ${id} has changed since version ${patch.expected_version} (it is at version ${locked.version}); reload and apply your change again.`,
        [{ field: 'expected_version', message: `is stale: current version is ${locked.version}` }],
      );
    }
    await repo.updateEnterprise(tx, id, storedFields(patch));
    if (patch.domicile_code) await ensureAuthoritiesFor(tx, patch.domicile_code);
    const after = await getEnterprise(tx, actor, id);
    await insertRevision(tx, {
      entity: 'enterprise',
      entity_id: id,
      version: after.version,
      data: after,
      changed_by: actor.userId,
    });
    await recordAudit(tx, context, { action, objectType: 'enterprise', objectId: id, before, after });
    return after;
  });
}

/** Art. 11: an enterprise keeps its own network and data security profile; officials may too. */
export async function updateSecurityProfile(
  db: Executor,
  context: AuditContext,
  actor: Actor,
  id: string,
  expectedVersion: number,
  profile: SecurityProfileRecord,
) {
  const scope = scopeOf(actor);
  if (scope.kind === 'enterprise' && scope.enterpriseId !== id) throw notFound(`Enterprise ${id}`);
  if (scope.kind !== 'enterprise') {
    const current = await getEnterprise(db, actor, id);
    assertMayWriteAt(actor, current.domicile_code);
  }
  return updateEnterprise(
    db,
    context,
    actor,
    id,
    { expected_version: expectedVersion, security_profile: profile },
    'enterprise.security_profile',
  );
}

export async function enterpriseHistory(db: Executor, actor: Actor, id: string) {
  await getEnterprise(db, actor, id);
  return revisionHistory(db, 'enterprise', id);
}

const EXPORT_LIMIT = 50_000;
const exportColumns: [keyof Enterprise, string][] = [
  ['credit_code', '统一社会信用代码'],
  ['name', '企业名称'],
  ['kind', '类型'],
  ['domicile_code', '行政区划代码'],
  ['domicile_name', '所在地'],
  ['group_name', '所属集团'],
  ['mining_capacity_reo_kg_per_year', '开采产能(kg REO/年)'],
  ['separation_capacity_reo_kg_per_year', '冶炼分离产能(kg REO/年)'],
  ['technical_score', '技术水平'],
  ['environment_score', '环保'],
  ['safety_score', '安全'],
  ['designated_scopes', '确定范围'],
];

/**
 * The same list as the API gives this actor, as CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese),
 * through the shared tabular writer: names and other texts neutralised against formula injection, figures numbers.
 */
export async function exportEnterprisesCsv(
  db: Executor,
  actor: Actor,
  query: Omit<EnterpriseQuery, 'page' | 'page_size'>,
) {
  const filter = { q: query.q, kind: query.kind, division: query.division, groupId: query.group_id };
  const { rows } = await repo.listEnterprises(db, scopeOf(actor), todayInShanghai(), filter, EXPORT_LIMIT, 0);
  const records = rows.map(toEnterprise).map((item) =>
    exportColumns.map(([key]) => {
      const value = item[key];
      if (Array.isArray(value)) return (value as string[]).join('/');
      return value as string | number | null;
    }),
  );
  return writeCsv([exportColumns.map(([, title]) => title), ...records], { bom: true });
}
