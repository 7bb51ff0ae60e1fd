import { expect } from 'vitest';
import type { Client, TestContext } from '../support/app.ts';
import { nextSerial } from './api-helpers.ts';
import type { MatrixCase, MatrixFixtures } from './route-matrix.ts';

/**
 * The authorization matrix of the grant routes (two people for privileged accounts): only an official of the
 * approving authority lists and decides a proposal; another ministry, another division, enterprise users,
 * oversight (for an official's grant) and the operator who proposes are refused. test/api/grants.db.test.ts runs
 * these cases; the route-coverage check in authorization.db.test.ts counts them as covered.
 */

export const grantCallers = [
  'miit',
  'miit.review',
  'mnr',
  'nmg.iit',
  'baotou.iit',
  'ganzhou.nr',
  'ent.bayan',
  'oversight',
  'operator',
  'anonymous',
] as const;
export type GrantCaller = (typeof grantCallers)[number];

export interface GrantFixtures extends MatrixFixtures<GrantCaller> {
  context: TestContext;
  clients: Record<GrantCaller, Client>;
}
export type GrantCase = MatrixCase<GrantFixtures, GrantCaller>;

/** `ok` for the listed callers, 404 for other officials and oversight (not theirs to see), 403 for the rest. */
function deciders(ok: number, who: readonly GrantCaller[]): Record<GrantCaller, number> {
  const result = {} as Record<GrantCaller, number>;
  for (const caller of grantCallers) {
    result[caller] = who.includes(caller)
      ? ok
      : caller === 'anonymous'
        ? 401
        : caller === 'ent.bayan' || caller === 'operator'
          ? 403
          : 404;
  }
  return result;
}

/** The operator proposes a new privileged account; returns its id. */
export async function proposeAccount(
  operator: Client,
  role: 'ministry_official' | 'department_official' | 'oversight',
  authorityId: string | null,
): Promise<string> {
  const response = await operator.post('/api/v1/users', {
    login: `grant.matrix${nextSerial()}`,
    display_name: '授权矩阵测试',
    password: 'Matrix-password-2026',
    role,
    authority_id: authorityId,
  });
  expect(response.statusCode, response.body).toBe(201);
  expect(response.json<{ grant_status: string }>().grant_status).toBe('pending');
  return response.json<{ id: string }>().id;
}

export function grantsMatrix(): GrantCase[] {
  const fresh = (role: 'ministry_official' | 'department_official', authorityId: string, action: string) => ({
    prepare: async (fx: GrantFixtures) => ({
      url: `/api/v1/users/${await proposeAccount(fx.clients.operator, role, authorityId)}/grant/${action}`,
    }),
  });
  const officials = grantCallers.filter(
    (caller) => caller !== 'anonymous' && caller !== 'ent.bayan' && caller !== 'operator',
  );
  return [
    {
      route: 'GET /api/v1/users/grants',
      name: "the caller's authority's pending proposals",
      expect: deciders(200, officials),
      url: () => '/api/v1/users/grants',
    },
    {
      route: 'POST /api/v1/users/{id}/grant/approve',
      name: 'a new MIIT official: MIIT officials',
      expect: deciders(200, ['miit', 'miit.review']),
      url: () => '/api/v1/users/00000000-0000-4000-8000-000000000000/grant/approve',
      ...fresh('ministry_official', 'MIIT', 'approve'),
      verify: (_fx, caller, response) => {
        expect(response.json()).toMatchObject({ status: 'approved', decided_by_login: caller });
      },
    },
    {
      route: 'POST /api/v1/users/{id}/grant/approve',
      name: "a new Baotou industry & IT official: Baotou's industry & IT department",
      expect: deciders(200, ['baotou.iit']),
      url: () => '/api/v1/users/00000000-0000-4000-8000-000000000000/grant/approve',
      ...fresh('department_official', '150200-industry_it', 'approve'),
    },
    {
      route: 'POST /api/v1/users/{id}/grant/refuse',
      name: 'a new MNR official: MNR officials',
      expect: deciders(200, ['mnr']),
      url: () => '/api/v1/users/00000000-0000-4000-8000-000000000000/grant/refuse',
      body: () => ({ reason: '非本部门人员' }),
      ...fresh('ministry_official', 'MNR', 'refuse'),
      verify: (_fx, _caller, response) => {
        expect(response.json()).toMatchObject({ status: 'refused', reason: '非本部门人员' });
      },
    },
  ];
}
