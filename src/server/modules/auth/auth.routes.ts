import { z } from 'zod';
import { apiToken, createdToken, currentUser, loginBody, tokenCreateBody } from '../../../contracts/auth.ts';
import { idParam } from '../../../contracts/common.ts';
import type { Config } from '../../config.ts';
import type { Executor } from '../../db/executor.ts';
import { problemResponses, type Api } from '../../shared/http.ts';
import { actorOf, auditContextOf, requestOriginOf, SESSION_COOKIE } from './auth.hook.ts';
import * as service from './auth.service.ts';

export async function authRoutes(api: Api, deps: { db: Executor; config: Config; clock?: () => Date }): Promise<void> {
  const { db, config } = deps;
  const settings: service.AuthSettings = {
    sessionTtlHours: config.SESSION_TTL_HOURS,
    throttle: {
      freeAttempts: config.LOGIN_THROTTLE_FREE_ATTEMPTS,
      baseDelayMs: config.LOGIN_THROTTLE_BASE_SECONDS * 1000,
      maxDelayMs: config.LOGIN_THROTTLE_MAX_SECONDS * 1000,
    },
    clock: deps.clock ?? (() => new Date()),
  };

  api.post(
    '/auth/login',
    {
      config: { access: 'public', rateLimit: { max: config.LOGIN_RATE_LIMIT_PER_MINUTE, timeWindow: '1 minute' } },
      schema: {
        tags: ['auth'],
        summary: 'Sign in with login and password; sets the session cookie',
        body: loginBody,
        response: { 200: currentUser, ...problemResponses },
      },
    },
    async (request, reply) => {
      const result = await service.login(
        db,
        settings,
        requestOriginOf(request),
        request.body.login,
        request.body.password,
      );
      reply.setCookie(SESSION_COOKIE, result.sessionToken, {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: config.COOKIE_SECURE,
        expires: result.expiresAt,
      });
      return result.user;
    },
  );

  api.post(
    '/auth/logout',
    {
      config: { access: 'signed_in' },
      schema: { tags: ['auth'], summary: 'End the session', response: { 204: z.null(), ...problemResponses } },
    },
    async (request, reply) => {
      const cookie = request.cookies[SESSION_COOKIE];
      if (cookie) await service.logout(db, auditContextOf(request), cookie);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send(null);
    },
  );

  api.get(
    '/auth/me',
    {
      config: { access: 'signed_in' },
      schema: {
        tags: ['auth'],
        summary: 'Who is signed in, with permissions and CSRF token',
        response: { 200: currentUser, ...problemResponses },
      },
    },
    async (request) => {
      const cookie = request.cookies[SESSION_COOKIE];
      const notice = actorOf(request).via === 'session' && cookie ? await service.sessionNotice(db, cookie) : null;
      return service.describeActor(actorOf(request), request.authorityName, request.csrfToken, notice);
    },
  );

  api.get(
    '/auth/tokens',
    {
      config: { access: 'token.own' },
      schema: { tags: ['auth'], summary: 'My API tokens', response: { 200: z.array(apiToken), ...problemResponses } },
    },
    async (request) => service.listTokens(db, actorOf(request).userId),
  );

  api.post(
    '/auth/tokens',
    {
      config: { access: 'token.own' },
      schema: {
        tags: ['auth'],
        summary: 'Create an API token for myself (shown once)',
        body: tokenCreateBody,
        response: { 201: createdToken, ...problemResponses },
      },
    },
    async (request, reply) => {
      const created = await service.createToken(
        db,
        auditContextOf(request),
        actorOf(request).userId,
        request.body.name,
        request.body.expires_in_days,
      );
      return reply.code(201).send(created);
    },
  );

  api.delete(
    '/auth/tokens/:id',
    {
      config: { access: 'token.own' },
      schema: {
        tags: ['auth'],
        summary: 'Revoke one of my API tokens',
        params: idParam,
        response: { 200: apiToken, ...problemResponses },
      },
    },
    async (request) => service.revokeToken(db, auditContextOf(request), actorOf(request).userId, request.params.id),
  );
}
