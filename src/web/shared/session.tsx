import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, ApiError, setCsrfToken, setSessionLostHandler } from './api.ts';
import type { CurrentUser } from './types.ts';

interface SessionValue {
  /** Null when nobody is signed in; undefined while the first /auth/me is on its way. */
  readonly user: CurrentUser | null | undefined;
  readonly signIn: (login: string, password: string) => Promise<void>;
  readonly signOut: () => Promise<void>;
  /** Menus and buttons follow the permissions the server grants, never role names. */
  readonly can: (permission: string) => boolean;
}

const SessionContext = createContext<SessionValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<CurrentUser | null | undefined>(undefined);

  const adopt = useCallback((next: CurrentUser | null) => {
    setCsrfToken(next?.csrf_token ?? null);
    setUser(next);
  }, []);

  useEffect(() => {
    setSessionLostHandler(() => adopt(null));
    let cancelled = false;
    api
      .get<CurrentUser>('/auth/me')
      .then((me) => !cancelled && adopt(me))
      .catch(() => !cancelled && adopt(null));
    return () => {
      cancelled = true;
      setSessionLostHandler(null);
    };
  }, [adopt]);

  const signIn = useCallback(
    async (login: string, password: string) => {
      adopt(await api.post<CurrentUser>('/auth/login', { login, password }));
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
    () => ({ user, signIn, signOut, can: (permission) => Boolean(user?.permissions.includes(permission)) }),
    [user, signIn, signOut],
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
