import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { characterClasses, passwordViolation } from '../../src/server/modules/auth/password-policy.rules.ts';
import {
  candidateSteps,
  normalisedRecoveryCode,
  recoveryCodeFrom,
  secondFactorRequired,
  stageAfterPassword,
  stepUpSatisfied,
  timeStep,
} from '../../src/server/modules/auth/second-factor.rules.ts';

const policy = { minLength: 12, history: 5, maxAgeDays: 90 };

describe('second-factor rules', () => {
  it('a step once used is never a candidate again, nor any before it; candidates lie within one step of now', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4e12 }), fc.option(fc.integer({ min: 0, max: 2e11 })), (ms, last) => {
        const now = new Date(ms);
        const steps = candidateSteps(now, last);
        for (const step of steps) {
          expect(Math.abs(step - timeStep(now))).toBeLessThanOrEqual(1);
          if (last !== null) expect(step).toBeGreaterThan(last);
        }
        expect(steps).toEqual([...steps].sort((a, b) => a - b));
      }),
    );
  });

  it('officials, oversight and operators always need one; an enterprise user from the configured level', () => {
    for (const role of ['ministry_official', 'department_official', 'oversight', 'operator'] as const) {
      expect(secondFactorRequired(role, null, 3)).toBe(true);
    }
    expect(secondFactorRequired('enterprise_user', 2, 3)).toBe(false);
    expect(secondFactorRequired('enterprise_user', 3, 3)).toBe(true);
    expect(secondFactorRequired('enterprise_user', null, 3)).toBe(false);
  });

  it('the stage after the password: enrolled → code, required → enrol, expired → change, else full', () => {
    expect(stageAfterPassword({ required: true, enrolled: true, passwordExpired: true })).toBe('second_factor');
    expect(stageAfterPassword({ required: true, enrolled: false, passwordExpired: false })).toBe('enrol');
    expect(stageAfterPassword({ required: false, enrolled: false, passwordExpired: true })).toBe('password_change');
    expect(stageAfterPassword({ required: false, enrolled: false, passwordExpired: false })).toBe('full');
  });

  it('step-up holds for STEP_UP_MINUTES after a factor, and always for an account with none and no need', () => {
    const now = new Date('2026-12-07T10:00:00Z');
    const account = { required: true, enrolled: true };
    expect(stepUpSatisfied(account, new Date('2026-12-07T09:55:00Z'), 5, now)).toBe(true);
    expect(stepUpSatisfied(account, new Date('2026-12-07T09:54:59Z'), 5, now)).toBe(false);
    expect(stepUpSatisfied(account, null, 5, now)).toBe(false);
    expect(stepUpSatisfied({ required: false, enrolled: false }, null, 5, now)).toBe(true);
    expect(stepUpSatisfied({ required: false, enrolled: true }, null, 5, now)).toBe(false);
  });

  it('recovery codes: XXXXX-XXXXX from an alphabet without look-alikes, read back however typed', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 10, maxLength: 10 }), (bytes) => {
        const code = recoveryCodeFrom(bytes);
        expect(code).toMatch(/^[A-HJKMNP-Z2-9]{5}-[A-HJKMNP-Z2-9]{5}$/);
        expect(normalisedRecoveryCode(` ${code.toLowerCase().replace('-', ' ')} `)).toBe(code.replace('-', ''));
      }),
    );
  });
});

describe('password policy', () => {
  it('names the first rule broken: length, then classes, then the login', () => {
    expect(passwordViolation('Ab1-short', 'clerk', policy)).toEqual({ rule: 'length', min: 12 });
    expect(passwordViolation('onlylowercaseletters', 'clerk', policy)).toEqual({ rule: 'classes', min: 3 });
    expect(passwordViolation('Xx-CLERK-2026-yy', 'clerk', policy)).toEqual({ rule: 'login' });
    expect(passwordViolation('Quarry-ledger-7431', 'clerk', policy)).toBeNull();
  });

  it('counts characters, not bytes: twelve Chinese characters with a digit and a letter pass', () => {
    expect(passwordViolation('稀土总量控制指标管理系统A1', 'clerk', policy)).toBeNull();
    expect(characterClasses('稀土总量控制指标管理系统A1')).toBe(3);
  });

  it('any password it accepts is long enough, has three classes and does not contain the login', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.stringMatching(/^[a-z0-9.]{3,12}$/), (password, login) => {
        if (passwordViolation(password, login, policy) === null) {
          expect([...password].length).toBeGreaterThanOrEqual(12);
          expect(characterClasses(password)).toBeGreaterThanOrEqual(3);
          expect(password.toLowerCase()).not.toContain(login);
        }
      }),
    );
  });
});
