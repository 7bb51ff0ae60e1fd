import {
  accountGrant,
  grantQuery,
  grantRefuseBody,
  role,
  secondFactorReset,
  user,
  userCreateBody,
  userPatchBody,
} from '../../../contracts/auth.ts';
import { idParam, pageOf, pageQuery } from '../../../contracts/common.ts';
import type { Executor } from '../../db/executor.ts';
import { problemResponses, type Api } from '../../shared/http.ts';
import { actorOf, auditContextOf } from './auth.hook.ts';
import * as grants from './grants.service.ts';
import type { PasswordPolicy } from './password-policy.rules.ts';
import { requestSecondFactorReset } from './second-factor.service.ts';
import * as service from './users.service.ts';

export async function userRoutes(api: Api, deps: { db: Executor; policy: PasswordPolicy }): Promise<void> {
  const { db, policy } = deps;
  const tags = ['users'];

  api.get(
    '/users',
    {
      config: { access: 'user.manage' },
      schema: {
        tags,
        summary: 'List user accounts',
        querystring: pageQuery.extend({ role: role.optional() }),
        response: { 200: pageOf(user), ...problemResponses },
      },
    },
    async (request) => service.listUsers(db, { role: request.query.role }, request.query.page, request.query.page_size),
  );

  api.post(
    '/users',
    {
      config: { access: 'user.manage', stepUp: true },
      schema: {
        tags,
        summary:
          'Create a user account; a ministry, department or oversight account is a proposal that an official of the approving authority decides',
        body: userCreateBody,
        response: { 201: user, ...problemResponses },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await service.createUser(db, auditContextOf(request), request.body, policy)),
  );

  api.get(
    '/users/:id',
    {
      config: { access: 'user.manage' },
      schema: { tags, summary: 'One user account', params: idParam, response: { 200: user, ...problemResponses } },
    },
    async (request) => service.getUser(db, request.params.id),
  );

  api.patch(
    '/users/:id',
    {
      config: { access: 'user.manage', stepUp: true },
      schema: {
        tags,
        summary:
          'Rename, (de)activate, unlock, reset the password or change the role of an account; a privileged role is a proposal',
        params: idParam,
        body: userPatchBody,
        response: { 200: user, ...problemResponses },
      },
    },
    async (request) => service.updateUser(db, auditContextOf(request), request.params.id, request.body, policy),
  );

  api.get(
    '/users/grants',
    {
      config: { access: 'account.approve' },
      schema: {
        tags,
        summary: "Proposals of privileged accounts for the caller's authority to decide (pending by default)",
        querystring: grantQuery,
        response: { 200: pageOf(accountGrant), ...problemResponses },
      },
    },
    async (request) =>
      grants.listGrants(db, actorOf(request), request.query.status, request.query.page, request.query.page_size),
  );

  api.post(
    '/users/:id/grant/approve',
    {
      config: { access: 'account.approve', stepUp: true },
      schema: {
        tags,
        summary: "Approve the account's pending grant (an official of the approving authority, not the proposer)",
        params: idParam,
        response: { 200: accountGrant, ...problemResponses },
      },
    },
    async (request) =>
      grants.decideGrant(db, auditContextOf(request), actorOf(request), request.params.id, { approve: true }),
  );

  api.post(
    '/users/:id/grant/refuse',
    {
      config: { access: 'account.approve', stepUp: true },
      schema: {
        tags,
        summary: "Refuse the account's pending grant with a reason; a refused new account never signs in",
        params: idParam,
        body: grantRefuseBody,
        response: { 200: accountGrant, ...problemResponses },
      },
    },
    async (request) =>
      grants.decideGrant(db, auditContextOf(request), actorOf(request), request.params.id, {
        approve: false,
        reason: request.body.reason,
      }),
  );

  api.post(
    '/users/:id/second-factor/reset',
    {
      config: { access: 'user.manage', stepUp: true, authEvent: 'second_factor_reset' },
      schema: {
        tags,
        summary:
          'Reset a lost authenticator: at once for an enterprise user or an operator; for a ministry, department or oversight account a proposal that an official of the approving authority decides',
        params: idParam,
        response: { 200: secondFactorReset, ...problemResponses },
      },
    },
    async (request) => requestSecondFactorReset(db, auditContextOf(request), request.params.id),
  );
}
