/**
 * A change (PATCH) must change something. Keys that only say which version the change is made against are
 * not a change; a body with nothing else (`{}`, `{ "expected_version": 3 }`) is refused as an empty change
 * rather than written as an UPDATE of nothing.
 */
export const CHANGE_META_KEYS: ReadonlySet<string> = new Set(['expected_version']);

/** Whether `body` is an object that names no field to change (undefined values name nothing). */
export function isEmptyChange(body: unknown): boolean {
  if (body === null || typeof body !== 'object' || Array.isArray(body) || ArrayBuffer.isView(body)) return false;
  return Object.entries(body).every(([key, value]) => value === undefined || CHANGE_META_KEYS.has(key));
}
