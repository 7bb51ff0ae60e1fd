import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PrivilegedRole, Role } from '../../src/server/db/schema.ts';
import {
  accountUsable,
  approverOf,
  changeNeedsApproval,
  decisionRefusal,
  isApproverOf,
  isPrivileged,
  type Candidate,
  type Decider,
  type GrantParties,
} from '../../src/server/modules/auth/grants.rules.ts';

/** Two people for privileged accounts: who may decide whose proposal, as a pure rule. */

const roles: readonly Role[] = ['ministry_official', 'department_official', 'enterprise_user', 'oversight', 'operator'];
const privileged: readonly PrivilegedRole[] = ['ministry_official', 'department_official', 'oversight'];
const people = ['u1', 'u2', 'u3', 'u4'];
const authorities = ['MIIT', 'MNR', 'NDRC', '150000-industry_it', '150200-industry_it', '360700-natural_resources'];

const roleArb = fc.constantFrom(...roles);
const authorityArb = fc.option(fc.constantFrom(...authorities), { nil: null });
const deciderArb: fc.Arbitrary<Decider> = fc.record({
  userId: fc.constantFrom(...people),
  role: roleArb,
  authorityId: authorityArb,
});
const grantArb: fc.Arbitrary<GrantParties> = fc
  .record({
    userId: fc.constantFrom(...people),
    proposedBy: fc.constantFrom(...people),
    approverRole: fc.constantFrom(...privileged),
    approverAuthorityId: fc.constantFrom(...authorities),
  })
  .map((grant) => (grant.approverRole === 'oversight' ? { ...grant, approverAuthorityId: null } : grant));

describe('who decides a grant', () => {
  it('nobody decides their own proposal, nor a grant to their own account', () => {
    fc.assert(
      fc.property(deciderArb, grantArb, (actor, grant) => {
        const refusal = decisionRefusal(actor, grant);
        if (actor.userId === grant.proposedBy || actor.userId === grant.userId) expect(refusal).not.toBeNull();
      }),
    );
  });

  it('only the approving authority (same role, same authority) decides; oversight grants only oversight', () => {
    fc.assert(
      fc.property(deciderArb, grantArb, (actor, grant) => {
        const allowed = decisionRefusal(actor, grant) === null;
        if (!allowed) return;
        expect(actor.role).toBe(grant.approverRole);
        if (grant.approverRole === 'oversight') expect(actor.role).toBe('oversight');
        else expect(actor.authorityId).toBe(grant.approverAuthorityId);
        expect(actor.userId).not.toBe(grant.proposedBy);
        expect(actor.userId).not.toBe(grant.userId);
      }),
    );
  });

  it('enterprise users and operators never decide, whatever the grant', () => {
    fc.assert(
      fc.property(deciderArb, grantArb, (actor, grant) => {
        if (actor.role === 'enterprise_user' || actor.role === 'operator') {
          expect(decisionRefusal(actor, grant)).toBe('outside_authority');
          expect(isApproverOf(actor, grant)).toBe(false);
        }
      }),
    );
  });

  it('an official of the approving authority who neither proposed nor receives it may decide', () => {
    fc.assert(
      fc.property(grantArb, fc.constantFrom(...people), (grant, userId) => {
        fc.pre(userId !== grant.proposedBy && userId !== grant.userId);
        const actor: Decider = { userId, role: grant.approverRole, authorityId: grant.approverAuthorityId };
        expect(decisionRefusal(actor, grant)).toBeNull();
      }),
    );
  });

  it('another ministry, another division or another department of the same division is outside', () => {
    const grant: GrantParties = {
      userId: 'new',
      proposedBy: 'operator',
      approverRole: 'department_official',
      approverAuthorityId: '150200-industry_it',
    };
    for (const authorityId of ['150000-industry_it', '150200-natural_resources', '360700-industry_it']) {
      expect(decisionRefusal({ userId: 'x', role: 'department_official', authorityId }, grant)).toBe(
        'outside_authority',
      );
    }
    expect(decisionRefusal({ userId: 'x', role: 'ministry_official', authorityId: 'MIIT' }, grant)).toBe(
      'outside_authority',
    );
    expect(decisionRefusal({ userId: 'x', role: 'oversight', authorityId: null }, grant)).toBe('outside_authority');
  });
});

describe('which changes need a second person', () => {
  const attachmentArb = fc.record({ role: roleArb, authorityId: authorityArb, enterpriseId: fc.constant(null) });

  it('a change needs approval exactly when it ends in a privileged role with a different role or authority', () => {
    fc.assert(
      fc.property(attachmentArb, attachmentArb, (before, after) => {
        const needs = changeNeedsApproval(before, after);
        expect(needs).toBe(
          isPrivileged(after.role) && (before.role !== after.role || before.authorityId !== after.authorityId),
        );
        // Never for lowering to an enterprise user or an operator.
        if (after.role === 'enterprise_user' || after.role === 'operator') expect(needs).toBe(false);
      }),
    );
  });

  it('an account signs in only when active and approved', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.constantFrom('pending', 'approved', 'refused'), (active, status) => {
        expect(accountUsable({ active, grant_status: status })).toBe(active && status === 'approved');
      }),
    );
  });
});

describe('the approver of a grant', () => {
  const chainArb: fc.Arbitrary<Candidate[]> = fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }).map((staffed) =>
    staffed.map((isStaffed, index) => ({
      authorityId: index === staffed.length - 1 ? 'MIIT' : `local-${index}`,
      national: index === staffed.length - 1,
      staffed: isStaffed,
    })),
  );

  it('is the nearest staffed authority of the line, or the granted authority when none is', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('ministry_official', 'department_official') as fc.Arbitrary<PrivilegedRole>,
        chainArb,
        fc.boolean(),
        (role, chain, oversight) => {
          const approver = approverOf(role, chain, oversight);
          const nearest = chain.find((item) => item.staffed) ?? chain[0]!;
          expect(approver.authorityId).toBe(nearest.authorityId);
          expect(approver.role).toBe(nearest.national ? 'ministry_official' : 'department_official');
        },
      ),
    );
  });

  it('of an oversight account is oversight, or MIIT while there is no usable oversight account', () => {
    expect(approverOf('oversight', [], true)).toEqual({ role: 'oversight', authorityId: null });
    expect(approverOf('oversight', [], false)).toEqual({ role: 'ministry_official', authorityId: 'MIIT' });
  });
});
