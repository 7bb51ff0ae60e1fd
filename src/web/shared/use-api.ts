import { useCallback, useEffect, useState } from 'react';
import { api, queryString, type QueryValue } from './api.ts';

export interface Loaded<T> {
  readonly data: T | undefined;
  readonly error: unknown;
  readonly loading: boolean;
  readonly reload: () => void;
}

/**
 * GETs `path` with `query` whenever either changes (null path: nothing to load yet). A late answer to
 * an older request is dropped, so fast typing in a search box never shows stale rows.
 */
export function useApi<T>(path: string | null, query: Readonly<Record<string, QueryValue>> = {}): Loaded<T> {
  const url = path === null ? null : `${path}${queryString(query)}`;
  const [generation, setGeneration] = useState(0);
  const [state, setState] = useState<{ key: string | null; data: T | undefined; error: unknown }>({
    key: null,
    data: undefined,
    error: undefined,
  });
  const key = url === null ? null : `${generation}:${url}`;

  useEffect(() => {
    if (url === null) return;
    let current = true;
    api.get<T>(url).then(
      (data) => current && setState({ key: `${generation}:${url}`, data, error: undefined }),
      (error: unknown) => current && setState({ key: `${generation}:${url}`, data: undefined, error }),
    );
    return () => {
      current = false;
    };
  }, [url, generation]);

  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  // Keep showing the previous rows while the next page loads, instead of flashing an empty table.
  const loading = key !== null && state.key !== key;
  return { data: state.data, error: state.error, loading, reload };
}
