import { TOTP, Secret } from 'otpauth';
import { z } from 'zod';
import {
  apiToken,
  createdToken,
  currentUser,
  enrolmentConfirmBody,
  enrolmentStart,
  loginBody,
  passwordChangeBody,
  recoveryCodes,
  secondFactorBody,
  sessionView,
  signInHelp,
  tokenCreateBody,
} from '../../../contracts/auth.ts';
import { idParam } from '../../../contracts/common.ts';
import type { Config } from '../../config.ts';
import type { Executor } from '../../db/executor.ts';
import { DEMO_TOTP_SECRET } from '../../demo/demo-data.ts';
import { problemResponses, type Api } from '../../shared/http.ts';
import { actorOf, auditContextOf, requestOriginOf, secondFactorOf, SESSION_COOKIE } from './auth.hook.ts';
import * as service from './auth.service.ts';
import * as secondFactor from './second-factor.service.ts';

export async function authRoutes(
  api: Api,
  deps: { db: Executor; config: Config; settings: service.AuthSettings },
): Promise<void> {
  const { db, config, settings } = deps;
  const me = (request: Parameters<typeof actorOf>[0]) =>
    service.whoAmI(db, settings, {
      actor: actorOf(request),
      authorityName: request.authorityName,
      csrfToken: request.csrfToken,
      factor: secondFactorOf(request),
    });

  api.post(
    '/auth/login',
    {
      config: {
        access: 'public',
        authEvent: 'login',
        rateLimit: { max: config.LOGIN_RATE_LIMIT_PER_MINUTE, timeWindow: '1 minute' },
      },
      schema: {
        tags: ['auth'],
        summary: 'Sign in with login and password; sets the session cookie. `session_stage` says what comes next',
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
      config: { access: 'signed_in', duringSignIn: true, authEvent: 'logout' },
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
      config: { access: 'signed_in', duringSignIn: true },
      schema: {
        tags: ['auth'],
        summary: 'Who is signed in, with permissions, CSRF token, the session stage and the second factor',
        response: { 200: currentUser, ...problemResponses },
      },
    },
    async (request) => me(request),
  );

  api.get(
    '/auth/sign-in-help',
    {
      config: { access: 'public' },
      schema: {
        tags: ['auth'],
        summary: "What the sign-in page may say: in demo mode, the demo accounts' current one-time code",
        response: { 200: signInHelp, ...problemResponses },
      },
    },
    async () => {
      if (!config.DEMO_DATA || config.NODE_ENV === 'production') return { demo_code: null, demo_secret: null };
      const totp = new TOTP({ secret: Secret.fromBase32(DEMO_TOTP_SECRET) });
      return { demo_code: totp.generate(), demo_secret: DEMO_TOTP_SECRET };
    },
  );

  api.post(
    '/auth/second-factor',
    {
      config: {
        access: 'signed_in',
        duringSignIn: true,
        authEvent: 'second_factor',
        rateLimit: { max: config.LOGIN_RATE_LIMIT_PER_MINUTE, timeWindow: '1 minute' },
      },
      schema: {
        tags: ['auth'],
        summary:
          'Give a one-time code (or a recovery code): completes a sign-in, or confirms the official acts of the next minutes (step-up)',
        body: secondFactorBody,
        response: { 200: currentUser, ...problemResponses },
      },
    },
    async (request) => {
      const factor = await secondFactor.giveSecondFactor(
        db,
        settings,
        auditContextOf(request),
        secondFactorOf(request),
        request.body,
      );
      request.secondFactor = factor;
      return me(request);
    },
  );

  api.post(
    '/auth/second-factor/enrolment',
    {
      config: { access: 'signed_in', duringSignIn: true },
      schema: {
        tags: ['auth'],
        summary: 'Start enrolling an authenticator app: a new secret and its QR code (confirm with a code from it)',
        response: { 200: enrolmentStart, ...problemResponses },
      },
    },
    async (request) => secondFactor.startEnrolment(db, settings, auditContextOf(request), secondFactorOf(request)),
  );

  api.post(
    '/auth/second-factor/enrolment/confirm',
    {
      config: { access: 'signed_in', duringSignIn: true, authEvent: 'enrol' },
      schema: {
        tags: ['auth'],
        summary: 'Confirm the authenticator being enrolled with a code from it; answers ten recovery codes, once',
        body: enrolmentConfirmBody,
        response: { 200: recoveryCodes, ...problemResponses },
      },
    },
    async (request) =>
      secondFactor.confirmEnrolment(db, settings, auditContextOf(request), secondFactorOf(request), request.body.code),
  );

  api.post(
    '/auth/second-factor/recovery-codes',
    {
      config: { access: 'signed_in', stepUp: true, authEvent: 'recovery_codes' },
      schema: {
        tags: ['auth'],
        summary: 'New recovery codes (the old ones stop working); shown once',
        response: { 200: recoveryCodes, ...problemResponses },
      },
    },
    async (request) => secondFactor.renewRecoveryCodes(db, settings, auditContextOf(request), secondFactorOf(request)),
  );

  api.post(
    '/auth/password',
    {
      config: { access: 'signed_in', duringSignIn: true, authEvent: 'password_change' },
      schema: {
        tags: ['auth'],
        summary: 'Change my password; my other sessions and my API tokens end',
        body: passwordChangeBody,
        response: { 204: z.null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      const factor = secondFactorOf(request);
      if (factor.stage !== 'full' && factor.stage !== 'password_change') {
        throw secondFactor.signInUnfinished(factor.stage);
      }
      await service.changePassword(
        db,
        settings,
        auditContextOf(request),
        factor,
        request.body.current_password,
        request.body.new_password,
      );
      return reply.code(204).send(null);
    },
  );

  api.get(
    '/auth/sessions',
    {
      config: { access: 'signed_in' },
      schema: {
        tags: ['auth'],
        summary: 'My live sessions, the current one marked',
        response: { 200: z.array(sessionView), ...problemResponses },
      },
    },
    async (request) => service.listSessions(db, settings, actorOf(request).userId, secondFactorOf(request).sessionHash),
  );

  api.delete(
    '/auth/sessions/:id',
    {
      config: { access: 'signed_in', authEvent: 'session_revoke' },
      schema: {
        tags: ['auth'],
        summary: 'Sign out one of my sessions',
        params: idParam,
        response: { 204: z.null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      await service.revokeMySession(db, auditContextOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  api.post(
    '/auth/sessions/sign-out-others',
    {
      config: { access: 'signed_in', authEvent: 'sessions_revoke_others' },
      schema: {
        tags: ['auth'],
        summary: 'Sign out every other session of mine',
        response: { 200: z.object({ signed_out: z.number().int() }), ...problemResponses },
      },
    },
    async (request) => {
      const hash = secondFactorOf(request).sessionHash;
      if (!hash) throw secondFactor.sessionOnly();
      return service.signOutOtherSessions(db, auditContextOf(request), hash);
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
