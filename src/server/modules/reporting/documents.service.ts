import type { Executor } from '../../db/executor.ts';
import { conflict } from '../../shared/errors.ts';
import { recordAudit, type AuditContext } from '../audit/index.ts';
import type { Actor } from '../auth/index.ts';
import * as repo from './reporting.repository.ts';

/** What reports and compilations share as signed, versioned documents: their returns, keys and successors. */

export type DocumentType = 'report' | 'compilation';

/** For showing documents: the return of each (if any), the signers' public keys, and what replaced each. */
export async function documentFacts(db: Executor, type: DocumentType, rows: readonly { id: string; signer: string }[]) {
  const ids = rows.map((row) => row.id);
  return {
    returns: await repo.returnsOf(db, type, ids),
    keys: await repo.publicKeys(db, [...new Set(rows.map((row) => row.signer))]),
    successors: await repo.successorsOf(db, type, ids),
  };
}

export function returnView(row: repo.ReturnRow | undefined) {
  return row ? { reason: row.reason, returned_by: row.returned_by, returned_at: row.returned_at.toISOString() } : null;
}

/** Returns a document version for correction, once, audited in the same transaction. */
export async function recordReturn(
  tx: Executor,
  audit: AuditContext,
  actor: Actor,
  subject: { type: DocumentType; id: string; version: number },
  reason: string,
  now: Date,
): Promise<void> {
  const inserted = await repo.insertReturn(tx, {
    subject_type: subject.type,
    subject_id: subject.id,
    reason,
    returned_by: actor.login,
    returned_at: now,
  });
  if (!inserted) throw conflict(`Version ${subject.version} has been returned already.`);
  await recordAudit(tx, audit, {
    action: `${subject.type}.return`,
    objectType: subject.type,
    objectId: subject.id,
    after: { reason, returned_by: actor.login },
  });
}
