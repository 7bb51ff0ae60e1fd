export { actorOf, auditContextOf, scopeOfRequest, SESSION_COOKIE } from './auth.hook.ts';
export {
  can,
  divisionPrefix,
  isWithinDivision,
  scopeOf,
  type Actor,
  type Permission,
  type Scope,
} from './auth.rules.ts';
export { hashPassword } from './password.ts';
export { displayNames } from './auth.repository.ts';
