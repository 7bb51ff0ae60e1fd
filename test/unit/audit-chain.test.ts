import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkLink,
  GENESIS_HASH,
  hashAuditEntry,
  type AuditFields,
} from '../../src/server/modules/audit/audit.rules.ts';
import { canonicalJson } from '../../src/server/shared/canonical-json.ts';

const json = fc.jsonValue({ maxDepth: 3 });

const entryContent = fc.record({
  actor_id: fc.string({ minLength: 1, maxLength: 20 }),
  actor_login: fc.string({ minLength: 1, maxLength: 20 }),
  actor_role: fc.constantFrom('ministry_official', 'department_official', 'system'),
  action: fc.constantFrom('enterprise.create', 'enterprise.update', 'auth.login'),
  object_type: fc.constantFrom('enterprise', 'user'),
  object_id: fc.uuid(),
  before: json,
  after: json,
  request_id: fc.uuid(),
});

type EntryContent = Omit<AuditFields, 'seq' | 'at' | 'prev_hash'>;

function chain(contents: EntryContent[]): (AuditFields & { hash: string })[] {
  const entries: (AuditFields & { hash: string })[] = [];
  for (const [index, content] of contents.entries()) {
    const fields = {
      ...content,
      seq: index + 1,
      at: new Date(1_700_000_000_000 + index).toISOString(),
      prev_hash: entries.at(-1)?.hash ?? GENESIS_HASH,
    };
    entries.push({ ...fields, hash: hashAuditEntry(fields) });
  }
  return entries;
}

function firstBreak(entries: (AuditFields & { hash: string })[]): number | null {
  let previous: { seq: number; hash: string } | null = null;
  for (const entry of entries) {
    const broken = checkLink(entry, previous);
    if (broken) return broken.seq;
    previous = entry;
  }
  return null;
}

describe('canonical JSON', () => {
  it('gives equal text for equal values whatever the key order', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), json), (object) => {
        const reversed = Object.fromEntries(Object.entries(object).reverse());
        return canonicalJson(object) === canonicalJson(reversed);
      }),
    );
  });

  it('round-trips through JSON as the same value', () => {
    fc.assert(fc.property(json, (value) => canonicalJson(JSON.parse(canonicalJson(value))) === canonicalJson(value)));
  });
});

describe('audit hash chain', () => {
  it('verifies any chain built by the rules', () => {
    fc.assert(
      fc.property(
        fc.array(entryContent, { minLength: 1, maxLength: 20 }),
        (contents) => firstBreak(chain(contents)) === null,
      ),
    );
  });

  it('names the first entry whose content was edited', () => {
    fc.assert(
      fc.property(
        fc.array(entryContent, { minLength: 2, maxLength: 20 }),
        fc.nat(),
        fc.string({ minLength: 1 }),
        (contents, pick, newLogin) => {
          const entries = chain(contents);
          const index = pick % entries.length;
          const target = entries[index]!;
          fc.pre(target.actor_login !== newLogin);
          entries[index] = { ...target, actor_login: newLogin };
          return firstBreak(entries) === index + 1;
        },
      ),
    );
  });

  it('notices a removed entry and a rewritten hash', () => {
    const entries = chain(
      [1, 2, 3, 4].map((n) => ({
        actor_id: 'u',
        actor_login: 'u',
        actor_role: 'system',
        action: 'a',
        object_type: 'o',
        object_id: String(n),
        before: null,
        after: n,
        request_id: 'r',
      })),
    );
    expect(firstBreak([entries[0]!, entries[2]!, entries[3]!])).toBe(3);
    const { hash: _original, ...forged } = { ...entries[1]!, after: 99 };
    const rehashed = { ...forged, hash: hashAuditEntry(forged) };
    expect(firstBreak([entries[0]!, rehashed, entries[2]!, entries[3]!])).toBe(3);
  });
});
