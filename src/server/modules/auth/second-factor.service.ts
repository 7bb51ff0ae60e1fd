import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';
import type { Executor } from '../../db/executor.ts';
import type { SessionStage } from '../../db/schema.ts';
import { DomainError, notFound } from '../../shared/errors.ts';
import { recordAudit, type AuditContext } from '../audit/index.ts';
import * as repo from './auth.repository.ts';
import type { AuthSettings, SecondFactorContext } from './auth.service.ts';
import { latestGrants } from './grants.repository.ts';
import { isPrivileged } from './grants.rules.ts';
import { proposeGrant, type GrantView } from './grants.service.ts';
import { blockedUntil, isThrottled } from './login-throttle.rules.ts';
import { recentTokens } from './recent-tokens.ts';
import {
  candidateSteps,
  normalisedRecoveryCode,
  RECOVERY_CODE_COUNT,
  recoveryCodeFrom,
  SECOND_FACTOR_ATTEMPTS,
  stageAfterSecondFactor,
  passwordExpired,
  stepUpSatisfied,
  TOTP_DIGITS,
  TOTP_PERIOD_SECONDS,
} from './second-factor.rules.ts';

/**
 * The second factor (issue 25; docs/security.md): TOTP authenticators (RFC 6238) enrolled by QR code, one-time
 * recovery codes, the code that completes a sign-in or confirms an official act (step-up), and the reset of a lost
 * device — by the operator for enterprise and operator accounts, by two people for officials and oversight.
 */

export type SecondFactorProof = { code: string } | { recovery_code: string };

function totpFor(base32: string, settings: Pick<AuthSettings, 'issuer'>, label = 'account'): TOTP {
  return new TOTP({
    issuer: settings.issuer,
    label,
    algorithm: 'SHA1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
    secret: Secret.fromBase32(base32),
  });
}

function sameCode(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * The time step a code matches, among the steps the account may still use now (one either side of now, later than
 * the last one accepted), or null.
 */
function matchingStep(totp: TOTP, code: string, now: Date, lastStep: number | null): number | null {
  for (const step of candidateSteps(now, lastStep)) {
    if (sameCode(totp.generate({ timestamp: step * TOTP_PERIOD_SECONDS * 1000 }), code)) return step;
  }
  return null;
}

/**
 * A session's stage once it has given a second factor: from the sign-in step `from` it moves on (to a password
 * change when the password is past its age, else signed in); any other stage stays as it is.
 */
function stageOnceGiven(settings: AuthSettings, factor: SecondFactorContext, from: SessionStage, now: Date) {
  if (factor.stage !== from) return factor.stage;
  return stageAfterSecondFactor(passwordExpired(factor.passwordChangedAt, settings.passwordPolicy.maxAgeDays, now));
}

const wrongCode = (field: 'code' | 'recovery_code', attemptsLeft: number) =>
  new DomainError(
    401,
    'second_factor_wrong',
    'The code is wrong, expired or already used.',
    [{ field, message: 'is wrong, expired or already used' }],
    { attempts_left: attemptsLeft },
  );

/** Checks a code or a recovery code against the account; takes the code's step (or uses the recovery code). */
async function proofHolds(
  tx: Executor,
  settings: AuthSettings,
  userId: string,
  proof: SecondFactorProof,
  now: Date,
): Promise<boolean> {
  if ('recovery_code' in proof) {
    return repo.useRecoveryCode(tx, userId, recoveryCodeHash(settings, proof.recovery_code), now);
  }
  const totp = await repo.totpOf(tx, userId);
  if (!totp?.totp_secret_sealed) return false;
  const secret = settings.sealer.open(totp.totp_secret_sealed);
  const last = totp.totp_last_step === null ? null : Number(totp.totp_last_step);
  const step = matchingStep(totpFor(secret, settings), proof.code, now, last);
  return step !== null && (await repo.takeTimeStep(tx, userId, step));
}

/**
 * A second factor given by a session: it completes the sign-in (stage `second_factor`) or, in a signed-in session,
 * confirms the official acts of the next STEP_UP_MINUTES (step-up). A wrong, expired or replayed code is refused
 * (401 second_factor_wrong) and counted: the session's fifth ends it, and the account's run of wrong codes (across
 * sessions and addresses) makes it wait as the password throttle does (LOGIN_THROTTLE_*), every code refused
 * unchecked until then. Audited either way.
 */
export async function giveSecondFactor(
  db: Executor,
  settings: AuthSettings,
  context: AuditContext,
  factor: SecondFactorContext,
  proof: SecondFactorProof,
): Promise<SecondFactorContext> {
  const sessionHash = factor.sessionHash;
  if (!sessionHash) throw sessionOnly();
  if (!factor.enrolled) {
    throw new DomainError(409, 'second_factor_not_enrolled', 'No authenticator is enrolled: enrol one first.');
  }
  const now = new Date();
  const userId = context.actor.id;
  const method = 'code' in proof ? 'totp' : 'recovery_code';
  const purpose = factor.stage === 'second_factor' ? 'sign_in' : 'step_up';
  const outcome = await db.transaction().execute(async (tx) => {
    const account = await repo.totpOf(tx, userId);
    // While the account waits after a run of wrong codes, a code is refused unchecked (and counted again).
    const waiting = isThrottled(account?.totp_blocked_until ?? null, now);
    if (!waiting && (await proofHolds(tx, settings, userId, proof, now))) {
      await repo.clearTotpFailures(tx, userId);
      const stage = stageOnceGiven(settings, factor, 'second_factor', now);
      await repo.setSessionStage(tx, sessionHash, { stage, second_factor_at: now });
      await recordAudit(tx, context, {
        action: 'auth.second_factor',
        objectType: 'user',
        objectId: userId,
        after: { method, purpose, stage },
      });
      return { ok: true as const, stage };
    }
    return { ok: false as const };
  });
  if (outcome.ok) return { ...factor, stage: outcome.stage, givenAt: now };
  const failures = await db.transaction().execute(async (tx) => {
    const count = await repo.countSecondFactorFailure(tx, sessionHash);
    if (count >= SECOND_FACTOR_ATTEMPTS) await repo.revokeSession(tx, sessionHash);
    const inARow = await repo.countTotpFailure(tx, userId);
    const until = blockedUntil(inARow, now, settings.throttle);
    await repo.setTotpBlockedUntil(tx, userId, until);
    await recordAudit(tx, context, {
      action: 'auth.second_factor_failed',
      objectType: 'user',
      objectId: userId,
      after: {
        method,
        purpose,
        failures: count,
        session_ended: count >= SECOND_FACTOR_ATTEMPTS,
        account_failures: inARow,
        account_waits_until: until,
      },
    });
    return count;
  });
  throw wrongCode('code' in proof ? 'code' : 'recovery_code', Math.max(0, SECOND_FACTOR_ATTEMPTS - failures));
}

/**
 * Starts enrolling an authenticator: a new secret, kept sealed as pending until a code from it confirms it. A session
 * that must enrol may; a signed-in account replacing its authenticator (a new phone) needs a fresh second factor.
 */
export async function startEnrolment(
  db: Executor,
  settings: AuthSettings,
  context: AuditContext,
  factor: SecondFactorContext,
) {
  requireEnrolmentAllowed(settings, factor);
  const secret = new Secret({ size: 20 }).base32;
  const totp = totpFor(secret, settings, context.actor.login);
  await db.transaction().execute(async (tx) => {
    await repo.setPendingSecret(tx, context.actor.id, settings.sealer.seal(secret));
    await recordAudit(tx, context, {
      action: 'second_factor.enrolment_start',
      objectType: 'user',
      objectId: context.actor.id,
      after: { replacing: factor.enrolled },
    });
  });
  const uri = totp.toString();
  return { secret, otpauth_uri: uri, qr_svg: await QRCode.toString(uri, { type: 'svg', margin: 1 }) };
}

function requireEnrolmentAllowed(settings: AuthSettings, factor: SecondFactorContext): void {
  if (!factor.sessionHash) throw sessionOnly();
  if (factor.stage === 'enrol') return;
  if (factor.stage !== 'full') throw signInUnfinished(factor.stage);
  if (factor.enrolled && !stepUpSatisfied(factor, factor.givenAt, settings.stepUpMinutes, new Date())) {
    throw stepUpRequired(settings);
  }
}

/** A session still signing in asked for more than its next step (401, with the stage it is at). */
export const signInUnfinished = (stage: SessionStage) =>
  new DomainError(401, 'second_factor_required', 'Finish signing in first.', [], { stage });

/** What only a person signed in may do (a second factor, an official act, one's sessions) was asked with a token. */
export const sessionOnly = () =>
  new DomainError(403, 'step_up_session_only', 'Only a person signed in does this, not an API token.');

export const stepUpRequired = (settings: Pick<AuthSettings, 'stepUpMinutes'>) =>
  new DomainError(
    403,
    'step_up_required',
    `This act needs a second factor given in the last ${settings.stepUpMinutes} minutes.`,
    [],
    { max_age_minutes: settings.stepUpMinutes },
  );

/**
 * Confirms the pending authenticator with a code from it: it becomes the account's, ten new recovery codes are made
 * (shown once), and the session counts as having given a second factor.
 */
export async function confirmEnrolment(
  db: Executor,
  settings: AuthSettings,
  context: AuditContext,
  factor: SecondFactorContext,
  code: string,
) {
  requireEnrolmentAllowed(settings, factor);
  const sessionHash = factor.sessionHash!;
  const now = new Date();
  const userId = context.actor.id;
  const codes = await db.transaction().execute(async (tx) => {
    const totp = await repo.totpOf(tx, userId);
    if (!totp?.totp_pending_sealed) return null;
    const secret = settings.sealer.open(totp.totp_pending_sealed);
    const last = totp.totp_last_step === null ? null : Number(totp.totp_last_step);
    const step = matchingStep(totpFor(secret, settings), code, now, last);
    if (step === null || !(await repo.takeTimeStep(tx, userId, step))) return null;
    await repo.confirmEnrolment(tx, userId, totp.totp_pending_sealed, now);
    const codes = await storeNewRecoveryCodes(tx, settings, userId);
    const stage = stageOnceGiven(settings, factor, 'enrol', now);
    await repo.setSessionStage(tx, sessionHash, { stage, second_factor_at: now });
    await recordAudit(tx, context, {
      action: 'second_factor.enrol',
      objectType: 'user',
      objectId: userId,
      after: { replaced: factor.enrolled, recovery_codes: codes.length },
    });
    return codes;
  });
  if (!codes) {
    throw new DomainError(422, 'second_factor_wrong', 'The code does not match the authenticator being enrolled.', [
      { field: 'code', message: 'does not match the authenticator being enrolled' },
    ]);
  }
  return { recovery_codes: codes };
}

/** A recovery code as stored: HMAC-SM3 under a key derived from SIGNING_KEY_SECRET, of the code as typed, normalised. */
function recoveryCodeHash(settings: Pick<AuthSettings, 'recoveryCodeKey'>, typed: string): string {
  return createHmac('sm3', settings.recoveryCodeKey).update(normalisedRecoveryCode(typed)).digest('hex');
}

/** Ten new recovery codes for the account, in place of its old ones; answered in clear this once, stored hashed. */
async function storeNewRecoveryCodes(tx: Executor, settings: AuthSettings, userId: string): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => recoveryCodeFrom(randomBytes(10)));
  await repo.replaceRecoveryCodes(
    tx,
    userId,
    codes.map((item) => recoveryCodeHash(settings, item)),
  );
  return codes;
}

/** New recovery codes for an enrolled account (the old ones stop working); a step-up route. */
export async function renewRecoveryCodes(
  db: Executor,
  settings: AuthSettings,
  context: AuditContext,
  factor: SecondFactorContext,
) {
  if (!factor.enrolled) {
    throw new DomainError(409, 'second_factor_not_enrolled', 'No authenticator is enrolled: enrol one first.');
  }
  return db.transaction().execute(async (tx) => {
    const codes = await storeNewRecoveryCodes(tx, settings, context.actor.id);
    await recordAudit(tx, context, {
      action: 'second_factor.recovery_codes',
      objectType: 'user',
      objectId: context.actor.id,
      after: { recovery_codes: codes.length },
    });
    return { recovery_codes: codes };
  });
}

/**
 * The operator's reset of a lost authenticator. An enterprise user's or an operator's is cleared at once; an
 * official's or oversight's is a proposal (`second_factor_reset`) that an official of the approving authority
 * decides, like a role grant (two people). Clearing ends the account's sessions and tokens; it enrols anew at its
 * next sign-in.
 */
export async function requestSecondFactorReset(
  db: Executor,
  context: AuditContext,
  userId: string,
): Promise<{ applied: boolean; grant: GrantView | null }> {
  const done = await db.transaction().execute(async (tx) => {
    const user = await repo.getUser(tx, userId);
    if (!user) throw notFound(`User ${userId}`);
    if (user.id === context.actor.id) {
      throw new DomainError(403, 'own_account', 'Nobody resets their own second factor: another operator must.');
    }
    if (isPrivileged(user.role)) {
      if ((await latestGrants(tx, [userId])).get(userId)?.status === 'pending') {
        throw new DomainError(409, 'grant_pending', `A proposal for ${user.login} is waiting for a decision.`);
      }
      const grant = await proposeGrant(tx, context, {
        userId,
        kind: 'second_factor_reset',
        role: user.role,
        authorityId: user.authority_id,
        previous: null,
      });
      return { applied: false, grant };
    }
    await repo.resetSecondFactor(tx, userId);
    await recordAudit(tx, context, { action: 'second_factor.reset', objectType: 'user', objectId: userId });
    return { applied: true, grant: null };
  });
  recentTokens.forget(); // after the commit: no lookup made during the change is kept
  return done;
}
