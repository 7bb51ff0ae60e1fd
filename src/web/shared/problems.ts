import { ApiError } from './api.ts';
import type { MessageKey, Translate } from './i18n.ts';

/**
 * Refusals of the sign-in and account-security routes, in the reader's language: a heading above the
 * server's detail, and the message next to the form field the server names.
 */
const summaries: Readonly<Record<string, MessageKey>> = {
  second_factor_required: 'problem.second_factor_required',
  second_factor_wrong: 'problem.second_factor_wrong',
  step_up_required: 'problem.step_up_required',
  step_up_session_only: 'problem.step_up_session_only',
  wrong_password: 'problem.wrong_password',
  password_policy: 'problem.password_policy',
};

const passwordRules: Readonly<Record<string, MessageKey>> = {
  length: 'problem.password_policy.length',
  classes: 'problem.password_policy.classes',
  login: 'problem.password_policy.login',
  history: 'problem.password_policy.history',
};

/** The heading for a refusal this module knows, else undefined (the server's detail stands alone). */
export function problemSummary(t: Translate, error: unknown): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  const key = summaries[error.code];
  if (!key) return undefined;
  if (error.code === 'password_policy') return passwordPolicyText(t, error);
  if (error.code === 'second_factor_wrong' && fieldsOf(error).includes('recovery_code'))
    return t('problem.recovery_code_wrong');
  return t(key);
}

function fieldsOf(error: ApiError): string[] {
  return error.fieldErrors.map((item) => item.field);
}

/** Which rule of the password policy a new password broke (min length and history depth from the server). */
function passwordPolicyText(t: Translate, error: ApiError): string {
  const rule = error.params.rule;
  const key = typeof rule === 'string' ? passwordRules[rule] : undefined;
  if (!key) return t('problem.password_policy');
  return t(key, { min: error.params.min ?? 12, count: error.params.count ?? 5 });
}

/** The field a known refusal concerns when the server names none. */
const impliedFields: Readonly<Record<string, string>> = {
  wrong_password: 'current_password',
  password_policy: 'new_password',
};

/** The server's field errors, with those of known refusals put in the reader's language. */
export function translatedFieldErrors(
  t: Translate,
  error: ApiError,
): readonly { readonly field: string; readonly message: string }[] {
  const implied = impliedFields[error.code];
  const items = error.fieldErrors.length > 0 || !implied ? error.fieldErrors : [{ field: implied, message: '' }];
  return items.map((item) => {
    switch (error.code) {
      case 'password_policy':
        return { field: item.field, message: passwordPolicyText(t, error) };
      case 'wrong_password':
        return { field: item.field, message: t('problem.wrong_password') };
      case 'second_factor_wrong':
        return {
          field: item.field,
          message: t(item.field === 'recovery_code' ? 'problem.recovery_code_wrong' : 'problem.second_factor_wrong'),
        };
      default:
        return item;
    }
  });
}
