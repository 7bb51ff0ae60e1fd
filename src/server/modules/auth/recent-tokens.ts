import type { Executor } from '../../db/executor.ts';
import type { Actor } from './auth.rules.ts';
import type { SecondFactorContext } from './auth.service.ts';

/** What a bearer token resolves to. */
export interface ResolvedToken {
  readonly actor: Actor;
  readonly csrfToken: null;
  readonly authorityName: string | null;
  readonly factor: SecondFactorContext;
}

const MAX_REMEMBERED = 10_000;

/**
 * API tokens resolved lately, by their hash, each with the database it was resolved in (one per app) and the time
 * it may be answered from memory until (ADR 0013). The services that change a token or an account (revoke a token,
 * change a user, decide a grant) call `forget` once their transaction has committed, so the change holds for the next
 * request in this process; other processes hold a token for at most TOKEN_CACHE_MS.
 */
function recentTokenMemory() {
  const remembered = new Map<string, { db: Executor; resolved: ResolvedToken; until: number }>();
  let generation = 0;
  return {
    recall(db: Executor, hash: string, now: number): ResolvedToken | null {
      const entry = remembered.get(hash);
      return entry && entry.db === db && entry.until > now ? entry.resolved : null;
    },
    /** The count of changes so far: a lookup takes it before it reads, and hands it to `remember`. */
    generation: (): number => generation,
    /** Remembers a lookup, unless a change began while it ran (what it read may be from before the change). */
    remember(db: Executor, hash: string, resolved: ResolvedToken, until: number, readAt: number): void {
      if (readAt !== generation) return;
      if (remembered.size >= MAX_REMEMBERED) remembered.clear();
      remembered.set(hash, { db, resolved, until });
    },
    forget: (): void => {
      generation += 1;
      remembered.clear();
    },
  };
}

export const recentTokens = recentTokenMemory();
