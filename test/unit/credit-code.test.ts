import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkCreditCode, CREDIT_CODE_ALPHABET, makeCreditCode } from '../../src/contracts/credit-code.rules.ts';

const alphabetChar = fc.constantFrom(...CREDIT_CODE_ALPHABET);
const digit = fc.constantFrom(...'0123456789');
const registrationAuthority = fc.constantFrom(...'123456789ANY');

/** Any valid code: authority, type, 6-digit division, 8-character organisation body; checks computed. */
const validCode = fc
  .tuple(
    registrationAuthority,
    alphabetChar,
    fc.array(digit, { minLength: 6, maxLength: 6 }),
    fc.array(fc.constantFrom(...'0123456789ABCDEFGHJKLMNPQRTUWXY'), { minLength: 8, maxLength: 8 }),
  )
  .map(([authority, type, division, body]) => makeCreditCode(`${authority}${type}`, division.join(''), body.join('')));

describe('unified social credit code (GB 32100)', () => {
  it('accepts published codes', () => {
    expect(checkCreditCode('91350100M000100Y43')).toBeNull();
    expect(checkCreditCode('91110000802100433B')).toBeNull();
  });

  it('accepts any generated valid code', () => {
    fc.assert(
      fc.property(validCode, (code) => checkCreditCode(code) === null),
      { numRuns: 2000 },
    );
  });

  it('rejects any single-character change, naming a position', () => {
    const change = fc.tuple(validCode, fc.nat({ max: 17 }), fc.constantFrom(...`${CREDIT_CODE_ALPHABET}IOZSVabc-`));
    fc.assert(
      fc.property(change, ([code, position, replacement]) => {
        fc.pre(code.charAt(position) !== replacement);
        const changed = `${code.slice(0, position)}${replacement}${code.slice(position + 1)}`;
        const problem = checkCreditCode(changed);
        return problem !== null && problem.position >= 1 && problem.position <= 18;
      }),
      { numRuns: 5000 },
    );
  });

  it('explains what is wrong and where', () => {
    expect(checkCreditCode('9135010')?.message).toBe('must be 18 characters, found 7');
    expect(checkCreditCode('91350100M000100I43')).toMatchObject({ position: 16 });
    expect(checkCreditCode('91350100M000100I43')?.message).toContain("character 16 ('I') is not allowed");
    expect(checkCreditCode('9135A100M000100Y43')).toMatchObject({ position: 5 });
    expect(checkCreditCode('91350100M000100Y44')).toEqual({
      position: 18,
      message: "check character 18 ('4') does not match characters 1–17, which call for '3'",
    });
  });
});
