import type { Executor } from '../db/executor.ts';
import { SYSTEM_ACTOR, type AuditContext } from '../modules/audit/index.ts';
import type { Actor } from '../modules/auth/index.ts';
import { findUserByLogin } from '../modules/auth/auth.repository.ts';
import { seedApprovedUser } from '../modules/auth/users.service.ts';
import { createDesignation } from '../modules/registry/designations.service.ts';
import { createEnterprise } from '../modules/registry/enterprises.service.ts';
import { createProduct } from '../modules/registry/products.service.ts';
import { createGroup, ensureReferenceData, listGroups } from '../modules/registry/reference.service.ts';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET, demoEnterprises, demoGroups, demoProducts, demoUsers } from './demo-data.ts';
import type { Sealer } from '../shared/signing.ts';

/** The system acting nationally, for loading demo data through the same services users go through. */
const systemActor: Actor = {
  userId: '00000000-0000-0000-0000-000000000000',
  login: 'system',
  displayName: 'system',
  role: 'ministry_official',
  authorityId: 'MIIT',
  department: 'industry_it',
  divisionCode: null,
  enterpriseId: null,
  via: 'session',
};

export interface DemoSummary {
  enterprises: number;
  products: number;
  users: number;
}

/**
 * Loads the demo data. Idempotent: every record is keyed by its natural identity (credit code, product
 * code, designation document, login), so running it again changes nothing.
 */
/**
 * Loads the demo registry and accounts. Every demo account comes enrolled with the documented DEMO_TOTP_SECRET,
 * sealed with `sealer` (the server's, from SIGNING_KEY_SECRET), so a newcomer can sign in at once.
 */
export async function loadDemoData(db: Executor, sealer: Sealer): Promise<DemoSummary> {
  const context: AuditContext = { actor: SYSTEM_ACTOR, requestId: 'demo' };
  await ensureReferenceData(db, context);
  const existingGroups = new Set((await listGroups(db)).map((group) => group.id));
  for (const group of demoGroups) {
    if (!existingGroups.has(group.id)) await createGroup(db, context, group);
  }
  for (const product of demoProducts) await createProduct(db, context, systemActor, product);
  const enterpriseIds = new Map<string, string>();
  for (const { key, designation, ...input } of demoEnterprises) {
    const { enterprise } = await createEnterprise(db, context, systemActor, input);
    enterpriseIds.set(key, enterprise.id);
    for (const scope of ['mining', 'separation'] as const) {
      const documentNo = designation[scope];
      if (documentNo) {
        await createDesignation(db, context, systemActor, {
          enterprise_id: enterprise.id,
          scope,
          document_no: documentNo,
          effective_on: '2023-01-01',
        });
      }
    }
  }
  for (const user of demoUsers) {
    if (await findUserByLogin(db, user.login)) continue;
    await seedApprovedUser(db, context, {
      login: user.login,
      display_name: user.display_name,
      password: DEMO_PASSWORD,
      role: user.role,
      authority_id: user.authority_id,
      enterprise_id: user.enterprise_key ? (enterpriseIds.get(user.enterprise_key) ?? null) : null,
      totp_secret_sealed: sealer.seal(DEMO_TOTP_SECRET),
    });
  }
  return { enterprises: demoEnterprises.length, products: demoProducts.length, users: demoUsers.length };
}

export function demoLogins(): string {
  const width = Math.max(...demoUsers.map((user) => user.login.length));
  return demoUsers.map((user) => `  ${user.login.padEnd(width)}  ${user.note}`).join('\n');
}
