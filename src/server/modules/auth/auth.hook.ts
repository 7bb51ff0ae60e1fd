import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Executor } from '../../db/executor.ts';
import { DomainError, forbidden, unauthenticated } from '../../shared/errors.ts';
import type { AuditContext } from '../audit/index.ts';
import { actorFromSession, actorFromToken } from './auth.service.ts';
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
export function installAuth(app: FastifyInstance, db: Executor): void {
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
    const resolved = await resolveActor(db, request);
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
}

async function resolveActor(db: Executor, request: FastifyRequest) {
  const authorization = request.headers.authorization;
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match?.[1]) throw unauthenticated('The Authorization header must be "Bearer <token>".');
    const resolved = await actorFromToken(db, match[1]);
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

export function auditContextOf(request: FastifyRequest): AuditContext {
  const actor = actorOf(request);
  return { actor: { id: actor.userId, login: actor.login, role: actor.role }, requestId: request.id };
}
