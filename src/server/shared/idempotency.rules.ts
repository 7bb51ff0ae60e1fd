import { canonicalJson } from './canonical-json.ts';

/**
 * The parameters of a keyed request that differ from what the first request with the same key stored: each field
 * compared as canonical JSON, a missing value (undefined) the same as null. Empty: the request is a true replay.
 */
export function replayDifferences(
  stored: Readonly<Record<string, unknown>>,
  sent: Readonly<Record<string, unknown>>,
): string[] {
  return Object.keys(sent).filter(
    (field) => canonicalJson(stored[field] ?? null) !== canonicalJson(sent[field] ?? null),
  );
}
