import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recentTokens, type ResolvedToken } from '../../src/server/modules/auth/recent-tokens.ts';
import type { Executor } from '../../src/server/db/executor.ts';
import { startTestApp, type Client, type TestContext } from '../support/app.ts';
import { expectProblem, userIds } from './api-helpers.ts';

/** A token of `client`'s user, and its Authorization header. */
async function newToken(client: Client, name: string) {
  const created = (await client.post('/api/v1/auth/tokens', { name })).json<{ id: string; token: string }>();
  return { id: created.id, bearer: { authorization: `Bearer ${created.token}` } };
}

describe('API tokens looked up on every request (TOKEN_CACHE_MS=0)', () => {
  let context: TestContext;
  beforeAll(async () => {
    context = await startTestApp({ TOKEN_CACHE_MS: '0' });
  });
  afterAll(async () => context.close());

  it("records a token's last use, writing it at most once a minute; a revoked or expired token is refused", async () => {
    const db = context.database.db;
    const kundulun = await context.as('ent.kundulun');
    const created = (await kundulun.post('/api/v1/auth/tokens', { name: 'last use' })).json<{
      id: string;
      token: string;
    }>();
    const bearer = { authorization: `Bearer ${created.token}` };
    const lastUse = async () =>
      (await db.selectFrom('api_token').select('last_used_at').where('id', '=', created.id).executeTakeFirstOrThrow())
        .last_used_at;
    expect(await lastUse()).toBeNull();
    const me = await context.anonymous.request('GET', '/api/v1/auth/me', undefined, bearer);
    expect(me.statusCode, me.body).toBe(200);
    expect(me.json<{ login: string }>().login).toBe('ent.kundulun');
    const first = await lastUse();
    expect(first).toBeInstanceOf(Date);
    // Within the minute a request reads only: the recorded use stays as it was.
    expect((await context.anonymous.request('GET', '/api/v1/auth/me', undefined, bearer)).statusCode).toBe(200);
    expect(await lastUse()).toEqual(first);
    // Older than a minute: recorded again.
    const old = new Date(Date.now() - 5 * 60_000);
    await db.updateTable('api_token').set({ last_used_at: old }).where('id', '=', created.id).execute();
    expect((await context.anonymous.request('GET', '/api/v1/auth/me', undefined, bearer)).statusCode).toBe(200);
    expect((await lastUse())!.getTime()).toBeGreaterThan(old.getTime() + 60_000);
    // Expired, then revoked: refused, and nothing is recorded.
    await db
      .updateTable('api_token')
      .set({ expires_at: new Date(Date.now() - 1000), last_used_at: old })
      .where('id', '=', created.id)
      .execute();
    expectProblem(await context.anonymous.request('GET', '/api/v1/auth/me', undefined, bearer), 401, 'unauthenticated');
    expect(await lastUse()).toEqual(old);
    await db
      .updateTable('api_token')
      .set({ expires_at: new Date(Date.now() + 86_400_000) })
      .where('id', '=', created.id)
      .execute();
    expect((await kundulun.delete(`/api/v1/auth/tokens/${created.id}`)).statusCode).toBe(200);
    expectProblem(await context.anonymous.request('GET', '/api/v1/auth/me', undefined, bearer), 401, 'unauthenticated');
    expect(await lastUse()).toEqual(old);
  });
});

describe('API tokens remembered for TOKEN_CACHE_MS (ADR 0013)', () => {
  let context: TestContext;
  let operator: Client;
  let users: Record<string, string>;
  beforeAll(async () => {
    // Long enough that nothing in this test outlives it: what is remembered stays remembered unless forgotten.
    context = await startTestApp({ TOKEN_CACHE_MS: '60000' });
    operator = await context.as('operator');
    users = await userIds(context.database.db);
  });
  afterAll(async () => context.close());

  const me = (bearer: { authorization: string }) =>
    context.anonymous.request('GET', '/api/v1/auth/me', undefined, bearer);

  it('a token revoked behind the server (as another process would) still works until a change is made here', async () => {
    const kundulun = await context.as('ent.kundulun');
    const first = await newToken(kundulun, 'remembered');
    const second = await newToken(kundulun, 'revoked through the API');
    expect((await me(first.bearer)).statusCode).toBe(200);
    await context.database.db
      .updateTable('api_token')
      .set({ revoked_at: new Date() })
      .where('id', '=', first.id)
      .execute();
    // Remembered: no lookup, so the revocation made elsewhere is not seen yet (at most TOKEN_CACHE_MS).
    const remembered = await me(first.bearer);
    expect(remembered.statusCode, remembered.body).toBe(200);
    expect(remembered.json<{ login: string }>().login).toBe('ent.kundulun');
    // Any change to tokens or accounts made through this server forgets every remembered token.
    expect((await kundulun.delete(`/api/v1/auth/tokens/${second.id}`)).statusCode).toBe(200);
    expectProblem(await me(first.bearer), 401, 'unauthenticated');
    expectProblem(await me(second.bearer), 401, 'unauthenticated');
  });

  it('a revocation, a deactivation and a role change made through the API hold for the very next request', async () => {
    const baotou = await context.as('ent.bayan');
    const revoked = await newToken(baotou, 'to revoke');
    expect((await me(revoked.bearer)).statusCode).toBe(200);
    expect((await baotou.delete(`/api/v1/auth/tokens/${revoked.id}`)).statusCode).toBe(200);
    expectProblem(await me(revoked.bearer), 401, 'unauthenticated');

    const dingnan = await context.as('ent.dingnan');
    const deactivated = await newToken(dingnan, 'to deactivate');
    expect((await me(deactivated.bearer)).statusCode).toBe(200);
    expect((await operator.patch(`/api/v1/users/${users['ent.dingnan']}`, { active: false })).statusCode).toBe(200);
    expectProblem(await me(deactivated.bearer), 401, 'unauthenticated');

    // The display name is part of what a token resolves to: renamed, the next answer carries the new name.
    const longnan = await context.as('ent.longnan');
    const renamed = await newToken(longnan, 'to rename');
    expect((await me(renamed.bearer)).json<{ display_name: string }>().display_name).not.toBe('新名字');
    expect((await operator.patch(`/api/v1/users/${users['ent.longnan']}`, { display_name: '新名字' })).statusCode).toBe(
      200,
    );
    expect((await me(renamed.bearer)).json<{ display_name: string }>().display_name).toBe('新名字');
  });
});

describe('the memory of recent tokens', () => {
  const db = {} as Executor;
  const resolved = { actor: { login: 'someone' }, csrfToken: null, authorityName: null } as unknown as ResolvedToken;

  it('answers until the time it was given, for the database it was resolved in only', () => {
    recentTokens.remember(db, 'hash-a', resolved, 1_000, recentTokens.generation());
    expect(recentTokens.recall(db, 'hash-a', 999)).toBe(resolved);
    expect(recentTokens.recall(db, 'hash-a', 1_000)).toBeNull();
    expect(recentTokens.recall({} as Executor, 'hash-a', 999)).toBeNull();
    expect(recentTokens.recall(db, 'hash-b', 999)).toBeNull();
  });

  it('does not keep a lookup that ran while a change was made, and forgets all on a change', () => {
    recentTokens.remember(db, 'hash-c', resolved, 1_000, recentTokens.generation());
    const readAt = recentTokens.generation();
    recentTokens.forget();
    expect(recentTokens.recall(db, 'hash-c', 0)).toBeNull();
    recentTokens.remember(db, 'hash-d', resolved, 1_000, readAt);
    expect(recentTokens.recall(db, 'hash-d', 0)).toBeNull();
  });
});
