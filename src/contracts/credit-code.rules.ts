/**
 * Unified social credit code (统一社会信用代码), GB 32100-2015: 18 characters.
 *   1      registration authority    2  organisation type
 *   3–8    administrative division where registered (GB/T 2260)
 *   9–17   organisation code (GB 11714), its own check digit at 17
 *   18     check character over 1–17, modulo 31
 */
export const CREDIT_CODE_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;
const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2] as const;
const REGISTRATION_AUTHORITIES = '123456789ANY';

export interface CreditCodeProblem {
  /** 1-based position of the first failing character, or 0 for the code as a whole. */
  readonly position: number;
  readonly message: string;
}

function alphabetValue(char: string): number {
  return CREDIT_CODE_ALPHABET.indexOf(char);
}

/** The check character (position 18) for the first 17 characters. */
export function creditCodeCheckChar(first17: string): string {
  let sum = 0;
  for (let index = 0; index < 17; index += 1) {
    sum += alphabetValue(first17.charAt(index)) * (WEIGHTS[index] ?? 0);
  }
  const check = (31 - (sum % 31)) % 31;
  return CREDIT_CODE_ALPHABET.charAt(check);
}

/** GB 11714 check digit (position 17 of a credit code) for the 8 characters before it. */
export function organisationCheckChar(body8: string): string {
  let sum = 0;
  for (let index = 0; index < 8; index += 1) {
    sum += Number.parseInt(body8.charAt(index), 36) * (ORG_WEIGHTS[index] ?? 0);
  }
  const check = 11 - (sum % 11);
  return check === 10 ? 'X' : check === 11 ? '0' : String(check);
}

/** Returns the first problem with a code, or null when it is valid. */
export function checkCreditCode(code: string): CreditCodeProblem | null {
  if (code.length !== 18) {
    return { position: 0, message: `must be 18 characters, found ${code.length}` };
  }
  for (let index = 0; index < 18; index += 1) {
    const char = code.charAt(index);
    if (alphabetValue(char) < 0) {
      return {
        position: index + 1,
        message: `character ${index + 1} ('${char}') is not allowed: use digits and capital letters other than I, O, Z, S, V`,
      };
    }
  }
  if (!REGISTRATION_AUTHORITIES.includes(code.charAt(0))) {
    return { position: 1, message: `character 1 ('${code.charAt(0)}') is not a registration authority code` };
  }
  for (let index = 2; index < 8; index += 1) {
    if (!/[0-9]/.test(code.charAt(index))) {
      return {
        position: index + 1,
        message: `character ${index + 1} ('${code.charAt(index)}') must be a digit: characters 3–8 are a division code`,
      };
    }
  }
  const organisationCheck = organisationCheckChar(code.slice(8, 16));
  if (code.charAt(16) !== organisationCheck) {
    return {
      position: 17,
      message: `character 17 ('${code.charAt(16)}') fails the organisation code check: characters 9–16 call for '${organisationCheck}'`,
    };
  }
  const check = creditCodeCheckChar(code.slice(0, 17));
  if (code.charAt(17) !== check) {
    return {
      position: 18,
      message: `check character 18 ('${code.charAt(17)}') does not match characters 1–17, which call for '${check}'`,
    };
  }
  return null;
}

/** Builds a valid code from its parts (demo data and tests). `body8` is the organisation code without its check. */
export function makeCreditCode(prefix2: string, divisionCode: string, body8: string): string {
  const first17 = `${prefix2}${divisionCode}${body8}${organisationCheckChar(body8)}`;
  return `${first17}${creditCodeCheckChar(first17)}`;
}
