import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Executor } from '../../db/executor.ts';
import { DomainError, forbidden, unauthenticated } from '../../shared/errors.ts';
import type { AuditContext } from '../audit/index.ts';
import { insertSecurityEvent, type NewSecurityEvent } from '../oversight/security-events.repository.ts';
import { actorFromSession, actorFromToken, type RequestOrigin } from './auth.service.ts';
import { can, permissions, scopeOf, type Actor, type Permission, type Scope } from './auth.rules.ts';

export const SESSION_COOKIE = 'monazite_session';

/** What a route needs: a permission, any signed-in user, or nothing (public). */
export type Access = Permission | 'signed_in' | 'public';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    actor: Actor | null;
    csrfToken: string | null;
    authorityName: string | null;
  }
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The one place where a request becomes an actor and is let through or refused. Every /api route must
 * declare its access; one that does not is a programming error caught when the route is registered.
 */
export function installAuth(app: FastifyInstance, db: Executor, settings: { tokenCacheMs: number }): void {
  app.decorateRequest('actor', null);
  app.decorateRequest('csrfToken', null);
  app.decorateRequest('authorityName', null);

  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/')) return;
    const access = route.config?.access;
    if (!access || !(access === 'public' || access === 'signed_in' || permissions.includes(access))) {
      throw new Error(`Route ${route.method.toString()} ${route.url} does not declare its access`);
    }
  });

  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access;
    if (!access || access === 'public') return;
    const resolved = await resolveActor(db, request, settings.tokenCacheMs);
    if (!resolved) throw unauthenticated();
    request.actor = resolved.actor;
    request.csrfToken = resolved.csrfToken;
    request.authorityName = resolved.authorityName;
    if (resolved.actor.via === 'session' && !safeMethods.has(request.method)) {
      checkCsrf(request, resolved.csrfToken);
    }
    if (access !== 'signed_in' && !can(resolved.actor, access)) {
      throw forbidden(`Your role (${resolved.actor.role}) does not have the permission ${access}.`);
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
  const status = reply.statusCode;
  let kind: NewSecurityEvent['kind'];
  if (refusals.has(status)) {
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
    code: kind === 'denied' ? problemCode(payload) : '',
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

async function resolveActor(db: Executor, request: FastifyRequest, tokenCacheMs: number) {
  const authorization = request.headers.authorization;
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match?.[1]) throw unauthenticated('The Authorization header must be "Bearer <token>".');
    const resolved = await actorFromToken(db, match[1], tokenCacheMs);
    if (!resolved) throw unauthenticated('The API token is unknown, revoked or expired.');
    return resolved;
  }
  const cookie = request.cookies[SESSION_COOKIE];
  if (!cookie) return null;
  const resolved = await actorFromSession(db, cookie);
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

export function auditContextOf(request: FastifyRequest): AuditContext {
  const actor = actorOf(request);
  return { actor: { id: actor.userId, login: actor.login, role: actor.role }, ...requestOriginOf(request) };
}
