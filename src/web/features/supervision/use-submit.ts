import { useCallback, useRef, useState } from 'react';
import type { FormInstance } from 'antd';
import { ApiError } from '../../shared/api.ts';
import { showFieldErrors } from '../../shared/page.tsx';
import { newIdempotencyKey } from './supervision-types.ts';

/**
 * One write of a supervision form: the server's problem kept for the alert, its field errors put beside the
 * fields they name, and the form's idempotency key — kept for a retry after a network failure (status 0),
 * renewed after any answer of the server, so a corrected form is a new request.
 */
export function useSupervisionSubmit<V>(
  form: FormInstance<V>,
  tag: string,
  rename: (field: string) => string = (field) => field,
) {
  const key = useRef(newIdempotencyKey(tag));
  const [error, setError] = useState<unknown>(undefined);
  const [saving, setSaving] = useState(false);

  const submit = useCallback(
    async <T>(send: (idempotencyKey: string) => Promise<T>): Promise<T | undefined> => {
      setSaving(true);
      setError(undefined);
      try {
        const result = await send(key.current);
        key.current = newIdempotencyKey(tag);
        return result;
      } catch (failure) {
        if (!(failure instanceof ApiError) || failure.status !== 0) key.current = newIdempotencyKey(tag);
        setError(failure);
        if (failure instanceof ApiError)
          showFieldErrors(
            form,
            failure,
            Object.fromEntries(failure.fieldErrors.map((item) => [item.field, rename(item.field)])),
          );
        return undefined;
      } finally {
        setSaving(false);
      }
    },
    [form, tag, rename],
  );
  return { submit, error, setError, saving };
}
