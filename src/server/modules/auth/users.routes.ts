import { role, user, userCreateBody, userPatchBody } from '../../../contracts/auth.ts';
import { idParam, pageOf, pageQuery } from '../../../contracts/common.ts';
import type { Executor } from '../../db/executor.ts';
import { problemResponses, type Api } from '../../shared/http.ts';
import { auditContextOf } from './auth.hook.ts';
import * as service from './users.service.ts';

export async function userRoutes(api: Api, deps: { db: Executor }): Promise<void> {
  const { db } = deps;
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
      config: { access: 'user.manage' },
      schema: {
        tags,
        summary: 'Create a user account',
        body: userCreateBody,
        response: { 201: user, ...problemResponses },
      },
    },
    async (request, reply) => reply.code(201).send(await service.createUser(db, auditContextOf(request), request.body)),
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
      config: { access: 'user.manage' },
      schema: {
        tags,
        summary: 'Rename, (de)activate, unlock or reset the password of an account',
        params: idParam,
        body: userPatchBody,
        response: { 200: user, ...problemResponses },
      },
    },
    async (request) => service.updateUser(db, auditContextOf(request), request.params.id, request.body),
  );
}
