import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Executor } from '../../db/executor.ts';
import { DomainError, forbidden, unauthenticated } from '../../shared/errors.ts';
import type { AuditContext } from '../audit/index.ts';
import { insertSecurityEvent, type NewSecurityEvent } from '../oversight/security-events.repository.ts';
import {
  actorFromSession,
  actorFromToken,
  type AuthSettings,
  type RequestOrigin,
  type SecondFactorContext,
} from './auth.service.ts';
import { can, permissions, scopeOf, type Actor, type Permission, type Scope } from './auth.rules.ts';
import { sessionOnly, signInUnfinished, stepUpRequired } from './second-factor.service.ts';
import { stepUpSatisfied } from './second-factor.rules.ts';

export const SESSION_COOKIE = 'monazite_session';

/** What a route needs: a permission, any signed-in user, or nothing (public). */
export type Access = Permission | 'signed_in' | 'public';

/** One API route's access as declared: what the tests enumerate (every step-up route refuses without a factor). */
export interface RouteAccess {
  readonly method: string;
  readonly url: string;
  readonly access: Access;
  readonly stepUp: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every /api route's declared access, in registration order. */
    accessTable: readonly RouteAccess[];
  }
  interface FastifyContextConfig {
    access?: Access;
    /**
     * An official act (docs/security.md, "Step-up"): the session must have given a second factor within
     * STEP_UP_MINUTES; an API token never may.
     */
    stepUp?: boolean;
    /** Reachable by a session still signing in (the second factor, enrolment, a password change). */
    duringSignIn?: boolean;
    /** A successful call is an authentication event, kept in the security event log under this code. */
    authEvent?: string;
  }
  interface FastifyRequest {
    actor: Actor | null;
    csrfToken: string | null;
    authorityName: string | null;
    /** The account's second factor and the session's stage (null on public routes). */
    secondFactor: SecondFactorContext | null;
  }
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The one place where a request becomes an actor and is let through or refused. Every /api route must
 * declare its access; one that does not is a programming error caught when the route is registered.
 */
export function installAuth(
  app: FastifyInstance,
  db: Executor,
  settings: { tokenCacheMs: number; auth: AuthSettings },
): void {
  app.decorateRequest('actor', null);
  app.decorateRequest('csrfToken', null);
  app.decorateRequest('authorityName', null);
  app.decorateRequest('secondFactor', null);

  const table: RouteAccess[] = [];
  app.decorate('accessTable', table);
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/')) return;
    const access = route.config?.access;
    if (!access || !(access === 'public' || access === 'signed_in' || permissions.includes(access))) {
      throw new Error(`Route ${route.method.toString()} ${route.url} does not declare its access`);
    }
    for (const method of [route.method].flat()) {
      table.push({ method, url: route.url, access, stepUp: route.config?.stepUp === true });
    }
  });

  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    const access = config.access;
    if (!access || access === 'public') return;
    const resolved = await resolveActor(db, request, settings);
    if (!resolved) throw unauthenticated();
    request.actor = resolved.actor;
    request.csrfToken = resolved.csrfToken;
    request.authorityName = resolved.authorityName;
    request.secondFactor = resolved.factor;
    if (resolved.actor.via === 'session' && !safeMethods.has(request.method)) {
      checkCsrf(request, resolved.csrfToken);
    }
    if (resolved.factor.stage !== 'full' && !config.duringSignIn) throw signInUnfinished(resolved.factor.stage);
    if (access !== 'signed_in' && !can(resolved.actor, access)) {
      throw forbidden(`Your role (${resolved.actor.role}) does not have the permission ${access}.`);
    }
    if (config.stepUp) {
      if (resolved.actor.via === 'token') throw sessionOnly();
      if (!stepUpSatisfied(resolved.factor, resolved.factor.givenAt, settings.auth.stepUpMinutes, new Date())) {
        throw stepUpRequired(settings.auth);
      }
    }
  });

  // Art. 15: refused requests and file exports go to the security event log (one insert, on the pool, after
  // the request's own transaction is over), before the answer leaves, so the record exists once it is received.
  app.addHook('onSend', async (request, reply, payload) => {
    const event = securityEventOf(request, reply, payload);
    if (event) {
      await insertSecurityEvent(db, event).catch((error: unknown) =>
        request.log.error({ err: error }, 'could not record a security event'),
      );
    }
    return payload;
  });
}

const USER_AGENT_MAX = 300;
const URL_MAX = 500;
const refusals = new Set([401, 403, 404]);
/** Refused sign-ins (unknown login, wrong password, throttled: all 401) are logged like refusals. */
const SIGN_IN_ROUTE = '/api/v1/auth/login';
const LOGIN_MAX = 100;

function attemptedLogin(body: unknown): string | null {
  const login = (body as { login?: unknown } | null)?.login;
  return typeof login === 'string' ? login.slice(0, LOGIN_MAX) : null;
}

/**
 * What the security event log keeps of a request, or null: a refusal (401, 403, 404) on a protected route —
 * except a 401 on a `signed_in` route sent with no credentials at all (the app asking "who am I?" before
 * sign-in is no attempt) — a refused sign-in (401), or a file of data (an attachment from a route that
 * needs a permission).
 */
function securityEventOf(request: FastifyRequest, reply: FastifyReply, payload: unknown): NewSecurityEvent | null {
  const access = request.routeOptions.config.access;
  const signIn = request.method === 'POST' && request.routeOptions.url === SIGN_IN_ROUTE;
  if (!request.url.startsWith('/api/') || !access || (access === 'public' && !signIn)) return null;
  // Authentication events (sign-in, second factor, enrolment, password, sessions) are kept as kind `auth`.
  const status = reply.statusCode;
  let kind: NewSecurityEvent['kind'];
  const authEvent = request.routeOptions.config.authEvent;
  if (authEvent && status < 400) kind = 'auth';
  else if (refusals.has(status)) {
    const credentials = Boolean(request.headers.authorization ?? request.cookies[SESSION_COOKIE]);
    if (status === 401 && access === 'signed_in' && !credentials) return null;
    kind = 'denied';
  } else if (status === 200 && access !== 'signed_in' && isAttachment(reply)) kind = 'export';
  else return null;
  return {
    kind,
    actorId: request.actor?.userId ?? null,
    // A refused sign-in has no actor: the login tried is kept (an unknown one too), for oversight to see.
    actorLogin: request.actor?.login ?? (signIn ? attemptedLogin(request.body) : null),
    method: request.method,
    route: request.routeOptions.url ?? request.url.split('?')[0] ?? '',
    url: request.url.slice(0, URL_MAX),
    status,
    code: kind === 'denied' ? problemCode(payload) : kind === 'auth' ? (authEvent ?? '') : '',
    ip: request.ip,
    socketIp: socketAddressOf(request),
    userAgent: userAgentOf(request) ?? '',
    requestId: request.id,
    bytes: kind === 'export' ? payloadBytes(reply, payload) : null,
  };
}

function isAttachment(reply: FastifyReply): boolean {
  const disposition = reply.getHeader('content-disposition');
  return typeof disposition === 'string' && disposition.startsWith('attachment');
}

function payloadBytes(reply: FastifyReply, payload: unknown): number | null {
  if (typeof payload === 'string') return Buffer.byteLength(payload);
  if (Buffer.isBuffer(payload)) return payload.length;
  const length = Number(reply.getHeader('content-length'));
  return Number.isSafeInteger(length) && length >= 0 ? length : null;
}

/** The problem's `code` (unauthenticated, forbidden, csrf, not_found…), read from the answer being sent. */
function problemCode(payload: unknown): string {
  if (typeof payload !== 'string') return '';
  try {
    const code = (JSON.parse(payload) as { code?: unknown }).code;
    return typeof code === 'string' ? code.slice(0, 50) : '';
  } catch {
    return '';
  }
}

function userAgentOf(request: FastifyRequest): string | undefined {
  return request.headers['user-agent']?.slice(0, USER_AGENT_MAX);
}

async function resolveActor(
  db: Executor,
  request: FastifyRequest,
  settings: { tokenCacheMs: number; auth: AuthSettings },
) {
  const authorization = request.headers.authorization;
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match?.[1]) throw unauthenticated('The Authorization header must be "Bearer <token>".');
    const resolved = await actorFromToken(db, match[1], {
      cacheMs: settings.tokenCacheMs,
      enterpriseLevel: settings.auth.enterpriseLevel,
    });
    if (!resolved) throw unauthenticated('The API token is unknown, revoked or expired.');
    return resolved;
  }
  const cookie = request.cookies[SESSION_COOKIE];
  if (!cookie) return null;
  const resolved = await actorFromSession(db, settings.auth, cookie);
  if (!resolved) throw unauthenticated('Your session has ended; sign in again.');
  return resolved;
}

function checkCsrf(request: FastifyRequest, expected: string | null): void {
  const sent = request.headers['x-csrf-token'];
  if (!expected || sent !== expected) {
    throw new DomainError(
      403,
      'csrf',
      'Missing or wrong X-CSRF-Token header for a request made with the session cookie.',
    );
  }
}

/** The signed-in actor of a route that declared access; its absence is a bug. */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new Error('actorOf: route did not authenticate');
  return request.actor;
}

export function scopeOfRequest(request: FastifyRequest): Scope {
  return scopeOf(actorOf(request));
}

/**
 * The address of the socket the request came in on: the client's, or the proxy's when the client address
 * (`request.ip`) was taken from the X-Forwarded-For of a proxy named in TRUST_PROXY.
 */
function socketAddressOf(request: FastifyRequest): string | null {
  return request.socket.remoteAddress ?? null;
}

/** Where a request came from, as audit entries record it: its id, client and socket addresses, user agent. */
export function requestOriginOf(request: FastifyRequest): RequestOrigin {
  return {
    requestId: request.id,
    ip: request.ip,
    socketIp: socketAddressOf(request) ?? undefined,
    userAgent: userAgentOf(request),
  };
}

/** Who made the request and from where; on an official act, when its session last gave a second factor. */
export function auditContextOf(request: FastifyRequest): AuditContext {
  const actor = actorOf(request);
  const givenAt = request.routeOptions.config.stepUp ? request.secondFactor?.givenAt : null;
  return {
    actor: { id: actor.userId, login: actor.login, role: actor.role },
    ...requestOriginOf(request),
    ...(givenAt ? { secondFactorAt: givenAt.toISOString() } : {}),
  };
}

/** The second-factor state of the request's session or token; its absence is a bug. */
export function secondFactorOf(request: FastifyRequest): SecondFactorContext {
  if (!request.secondFactor) throw new Error('secondFactorOf: route did not authenticate');
  return request.secondFactor;
}
