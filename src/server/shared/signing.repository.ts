import type { Executor } from '../db/executor.ts';

/** The SM2 keys that sign (signing.ts): an enterprise's, a division's, the server's audit key. */

/** The key an owner signs with, if made. */
export async function signingKeyOf(db: Executor, owner: string) {
  return db.selectFrom('signing_key').selectAll().where('owner', '=', owner).executeTakeFirst();
}

/** Stores a key unless one exists (two first signatures at once keep the first key), and returns the stored one. */
export async function ensureSigningKeyOf(tx: Executor, owner: string, publicKeyPem: string, sealed: string) {
  await tx
    .insertInto('signing_key')
    .values({ owner, public_key_pem: publicKeyPem, private_key_sealed: sealed })
    .onConflict((conflict) => conflict.column('owner').doNothing())
    .execute();
  return tx.selectFrom('signing_key').selectAll().where('owner', '=', owner).executeTakeFirstOrThrow();
}
