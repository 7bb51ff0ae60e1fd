import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ANCHOR_KIND,
  anchorLine,
  anchorSignatureProblem,
  anchorSignedText,
  AUDIT_KEY_OWNER,
  describeFinding,
  judgeAnchor,
  parseAnchorLine,
  type AnchorContent,
  type AuditAnchor,
} from '../../src/server/modules/audit/audit.rules.ts';
import { sm3Hex } from '../../src/server/shared/canonical-json.ts';
import { createSealer, generateSm2KeyPair, signText } from '../../src/server/shared/signing.ts';

const sealer = createSealer('anchor-unit-test-secret');
const pair = generateSm2KeyPair(sealer);

function signed(content: Partial<AnchorContent> = {}): AuditAnchor {
  const full: AnchorContent = {
    kind: ANCHOR_KIND,
    version: 1,
    seq: 1057,
    hash: 'a'.repeat(64),
    at: '2026-12-07T09:59:58.000Z',
    entries: 1057,
    anchored_at: '2026-12-07T10:00:00.000Z',
    key_owner: AUDIT_KEY_OWNER,
    key_sm3: sm3Hex(pair.publicKeyPem),
    ...content,
  };
  return { ...full, signature: signText(anchorSignedText(full), pair.privateKeySealed, sealer) };
}

describe('audit anchors (pure rules)', () => {
  const anchor = signed();

  it('reads back the line it writes, and refuses what is not an anchor', () => {
    expect(parseAnchorLine(anchorLine(anchor))).toEqual({ anchor });
    expect(parseAnchorLine('not json')).toEqual({ error: 'not JSON' });
    expect(parseAnchorLine('[]')).toEqual({ error: 'not a JSON object' });
    expect(parseAnchorLine(anchorLine({ ...anchor, hash: 'xyz' }))).toEqual({ error: 'hash is not 64 hex digits' });
    expect('error' in parseAnchorLine(JSON.stringify({ ...anchor, version: 2 }))).toBe(true);
  });

  it('holds when the chain has the anchored hash at the anchored sequence', () => {
    const problem = anchorSignatureProblem(anchor, pair.publicKeyPem);
    expect(problem).toBeNull();
    expect(judgeAnchor(anchor, problem, { lastSeq: 2000, hashAtSeq: anchor.hash })).toEqual({ kind: 'holds' });
  });

  it('names the missing range when the chain ends before the anchor', () => {
    const finding = judgeAnchor(anchor, null, { lastSeq: 1040, hashAtSeq: undefined });
    expect(finding).toEqual({ kind: 'missing', from: 1041, to: 1057, chainEnd: 1040 });
    expect(describeFinding(anchor, finding)).toBe(
      'entries 1041–1057 are missing: the chain ends at 1040 but the anchor of 2026-12-07T10:00:00.000Z says 1057',
    );
    expect(describeFinding(anchor, judgeAnchor(anchor, null, { lastSeq: 1056, hashAtSeq: undefined }))).toMatch(
      /^entry 1057 is missing: the chain ends at 1056/,
    );
  });

  it('names the sequence whose hash differs', () => {
    const finding = judgeAnchor(anchor, null, { lastSeq: 1060, hashAtSeq: 'b'.repeat(64) });
    expect(finding).toMatchObject({ kind: 'differs', seq: 1057 });
    expect(describeFinding(anchor, finding)).toContain(
      'entry 1057 differs from the anchor of 2026-12-07T10:00:00.000Z',
    );
  });

  it('finds any change to any signed member of an anchor, and does not compare a forged one', () => {
    const members = fc.oneof(
      fc.record({ seq: fc.nat() }),
      fc.record({ entries: fc.nat() }),
      fc.record({ hash: fc.stringMatching(/^[0-9a-f]{64}$/) }),
      fc.record({ at: fc.date({ noInvalidDate: true }).map((date) => date.toISOString()) }),
      fc.record({ anchored_at: fc.date({ noInvalidDate: true }).map((date) => date.toISOString()) }),
    );
    fc.assert(
      fc.property(members, (change) => {
        const edited: AuditAnchor = { ...anchor, ...change };
        fc.pre(anchorSignedText(edited) !== anchorSignedText(anchor));
        const problem = anchorSignatureProblem(edited, pair.publicKeyPem);
        expect(problem).toContain('does not verify');
        expect(judgeAnchor(edited, problem, { lastSeq: 0, hashAtSeq: undefined }).kind).toBe('forged');
      }),
      { numRuns: 60 },
    );
  });

  it('refuses an anchor signed with another key, or with no key to check it by', () => {
    const other = generateSm2KeyPair(sealer);
    expect(anchorSignatureProblem(anchor, other.publicKeyPem)).toMatch(/names key .*, not the server audit key/);
    expect(anchorSignatureProblem(anchor, undefined)).toContain('no server audit key');
    expect(anchorSignatureProblem({ ...anchor, key_owner: '150000' }, pair.publicKeyPem)).toContain('150000');
  });
});
