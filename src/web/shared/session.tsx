import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, ApiError, setCsrfToken, setSessionLostHandler, setStageRequiredHandler } from './api.ts';
import type { CurrentUser } from './types.ts';

interface SessionValue {
  /**
   * Null when nobody is signed in; undefined while the first /auth/me is on its way. A session whose
   * `session_stage` is not `full` has given its password only: the sign-in page takes it through the next step.
   */
  readonly user: CurrentUser | null | undefined;
  readonly signIn: (login: string, password: string) => Promise<CurrentUser>;
  readonly signOut: () => Promise<void>;
  /** Takes the session the server answered with (a code given, a password changed). */
  readonly adopt: (user: CurrentUser | null) => void;
  /** Asks the server again how far the session has come (after a step that answers no session). */
  readonly refresh: () => Promise<CurrentUser | null>;
  /** Menus and buttons follow the permissions the server grants, never role names. */
  readonly can: (permission: string) => boolean;
}

const SessionContext = createContext<SessionValue | null>(null);

/** Signed in all the way: the password and, where the account has one, the second factor. */
export function isFullySignedIn(user: CurrentUser | null | undefined): user is CurrentUser {
  return Boolean(user) && user?.session_stage === 'full';
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<CurrentUser | null | undefined>(undefined);

  const adopt = useCallback((next: CurrentUser | null) => {
    setCsrfToken(next?.csrf_token ?? null);
    setUser(next);
  }, []);

  const refresh = useCallback(async () => {
    try {
      const me = await api.get<CurrentUser>('/auth/me');
      adopt(me);
      return me;
    } catch {
      adopt(null);
      return null;
    }
  }, [adopt]);

  useEffect(() => {
    setSessionLostHandler(() => adopt(null));
    // A request refused because a sign-in step is still due: learn which, and the guard sends the user there.
    setStageRequiredHandler(() => void refresh());
    let cancelled = false;
    api
      .get<CurrentUser>('/auth/me')
      .then((me) => !cancelled && adopt(me))
      .catch(() => !cancelled && adopt(null));
    return () => {
      cancelled = true;
      setSessionLostHandler(null);
      setStageRequiredHandler(null);
    };
  }, [adopt, refresh]);

  const signIn = useCallback(
    async (login: string, password: string) => {
      const next = await api.post<CurrentUser>('/auth/login', { login, password });
      adopt(next);
      return next;
    },
    [adopt],
  );

  const signOut = useCallback(async () => {
    try {
      await api.post<void>('/auth/logout');
    } catch (error) {
      // An already-ended session is as good as signed out.
      if (!(error instanceof ApiError) || error.status !== 401) throw error;
    } finally {
      adopt(null);
    }
  }, [adopt]);

  const value = useMemo<SessionValue>(
    () => ({
      user,
      signIn,
      signOut,
      adopt,
      refresh,
      can: (permission) => isFullySignedIn(user) && user.permissions.includes(permission),
    }),
    [user, signIn, signOut, adopt, refresh],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}

/** The signed-in user, for pages that only render behind the sign-in guard. */
export function useCurrentUser(): CurrentUser {
  const { user } = useSession();
  if (!user) throw new Error('useCurrentUser without a signed-in user');
  return user;
}
