/**
 * The password policy of a level-3 system (GB/T 22239-2019 8.1.4.1 a: 口令具有复杂度要求并定期更换): a minimum
 * length, three of four character classes, not containing the login, and not one of the account's last passwords
 * (checked by the service, which holds the hashes). All of it is configured in one place (config.ts).
 */
export interface PasswordPolicy {
  readonly minLength: number;
  /** How many previous passwords a new one may not repeat (0: no history). */
  readonly history: number;
  /** Days after which a password must be changed at sign-in (0: never). */
  readonly maxAgeDays: number;
}

export type PasswordViolation =
  | { readonly rule: 'length'; readonly min: number }
  | { readonly rule: 'classes'; readonly min: number }
  | { readonly rule: 'login' };

const CLASSES_NEEDED = 3;

/** How many of lower case, upper case, digits and other characters the password has. */
export function characterClasses(password: string): number {
  return [/\p{Ll}/u, /\p{Lu}/u, /\p{Nd}/u, /[^\p{Ll}\p{Lu}\p{Nd}]/u].filter((pattern) => pattern.test(password)).length;
}

/** The first rule a new password breaks (history aside), or null. Length counts characters, not bytes. */
export function passwordViolation(password: string, login: string, policy: PasswordPolicy): PasswordViolation | null {
  if ([...password].length < policy.minLength) return { rule: 'length', min: policy.minLength };
  if (characterClasses(password) < CLASSES_NEEDED) return { rule: 'classes', min: CLASSES_NEEDED };
  if (login.length >= 3 && password.toLowerCase().includes(login.toLowerCase())) return { rule: 'login' };
  return null;
}
