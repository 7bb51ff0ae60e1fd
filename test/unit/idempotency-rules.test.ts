import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { replayDifferences } from '../../src/server/shared/idempotency.rules.ts';

/** A key reused with other parameters is refused naming each parameter that differs (docs/api.md). */
describe('replayDifferences', () => {
  it('names each sent field whose value differs from the stored one, whatever the key order', () => {
    const stored = { id: 'x', planned_on: '2026-12-05', inspectors: ['a', 'b'], basis: { b: 1, a: 2 } };
    expect(replayDifferences(stored, { planned_on: '2026-12-05', inspectors: ['a', 'b'] })).toEqual([]);
    expect(replayDifferences(stored, { planned_on: '2026-12-06', inspectors: ['b', 'a'] })).toEqual([
      'planned_on',
      'inspectors',
    ]);
    expect(replayDifferences(stored, { basis: { a: 2, b: 1 } })).toEqual([]);
  });

  it('takes a missing value as null, and never compares fields that were not sent', () => {
    expect(replayDifferences({ anomaly_id: null, id: 'x' }, { anomaly_id: undefined })).toEqual([]);
    expect(replayDifferences({ anomaly_id: 'a' }, { anomaly_id: undefined })).toEqual(['anomaly_id']);
  });

  it('finds nothing when the request is the stored one, and the changed field when one is changed', () => {
    const value = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string()));
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1 }), value), fc.string({ minLength: 1 }), (sent, field) => {
        expect(replayDifferences({ ...sent }, sent)).toEqual([]);
        const changed = { ...sent, [field]: { changed: canary(sent[field]) } };
        expect(replayDifferences(sent, changed)).toEqual([field]);
      }),
    );
  });
});

const canary = (value: unknown) => JSON.stringify(value ?? null);
