import { z } from 'zod';
import { pageQuery, uuid } from './common.ts';

export const roles = ['ministry_official', 'department_official', 'enterprise_user', 'oversight', 'operator'] as const;
export const role = z.enum(roles);
export type RoleName = z.infer<typeof role>;

export const loginBody = z.strictObject({
  login: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
});

/** Failed sign-ins to the account since its previous sign-in: shown to the user once signed in. */
export const failedSignIns = z.object({
  count: z.number().int().min(1),
  /** When the latest of them was. */
  last_at: z.string(),
  /** The client addresses they came from, the latest first (at most ten). */
  addresses: z.array(z.string()),
});
export type FailedSignIns = z.infer<typeof failedSignIns>;

export const sessionStages = ['full', 'second_factor', 'enrol', 'password_change'] as const;
export const sessionStage = z.enum(sessionStages);
export type SessionStage = z.infer<typeof sessionStage>;

/** The account's second factor, as its holder sees it. */
export const secondFactorState = z.object({
  /** The account must have one (officials, oversight, operators; enterprise users by the enterprise's level). */
  required: z.boolean(),
  /** An authenticator app is enrolled. */
  enrolled: z.boolean(),
  /** Unused recovery codes left. */
  recovery_codes_left: z.number().int().min(0),
  /** When this session (or token) last gave a code; official acts need one within `step_up_minutes`. */
  given_at: z.string().nullable(),
  step_up_minutes: z.number(),
});

export const currentUser = z.object({
  id: uuid,
  login: z.string(),
  display_name: z.string(),
  role,
  authority_id: z.string().nullable(),
  authority_name: z.string().nullable(),
  department: z.string().nullable(),
  division_code: z.string().nullable(),
  enterprise_id: z.string().nullable(),
  permissions: z.array(z.string()),
  /** Send back as X-CSRF-Token on every state-changing request made with the session cookie. */
  csrf_token: z.string().nullable(),
  /** Failed sign-ins since the previous sign-in, told with the session that follows them (null: none). */
  failed_sign_ins: failedSignIns.nullable(),
  /**
   * How far the sign-in has come. `full`: signed in. `second_factor`: the password was right, the one-time code is
   * next (POST /auth/second-factor). `enrol`: the account must have a second factor and has none yet
   * (POST /auth/second-factor/enrolment). `password_change`: the password is past its age
   * (POST /auth/password). Until `full` the session reaches only these routes and /auth/me, and has no permissions.
   */
  session_stage: sessionStage,
  second_factor: secondFactorState,
});
export type CurrentUser = z.infer<typeof currentUser>;

export const tokenCreateBody = z.strictObject({
  name: z.string().trim().min(1).max(100),
  expires_in_days: z.number().int().min(1).max(366).default(90),
});

export const apiToken = z.object({
  id: uuid,
  name: z.string(),
  prefix: z.string(),
  created_at: z.string(),
  expires_at: z.string(),
  revoked_at: z.string().nullable(),
  last_used_at: z.string().nullable(),
});
export const createdToken = apiToken.extend({
  /** Shown once, never stored in clear. */
  token: z.string(),
});

/** A new password's bounds; the policy (length, character classes, the login, history) is checked by the server. */
export const password = z.string().min(1).max(256);

/** A six-digit code from an authenticator app (RFC 6238), or one of the account's recovery codes. */
export const secondFactorBody = z.union([
  z.strictObject({ code: z.string().regex(/^[0-9]{6}$/, 'six digits') }),
  z.strictObject({ recovery_code: z.string().trim().min(1).max(32) }),
]);

/** A new authenticator: scan `qr_svg` (or type `secret`), then confirm with a code it shows. */
export const enrolmentStart = z.object({
  secret: z.string(),
  otpauth_uri: z.string(),
  /** The otpauth URI as an SVG QR code. */
  qr_svg: z.string(),
});
export const enrolmentConfirmBody = z.strictObject({ code: z.string().regex(/^[0-9]{6}$/, 'six digits') });
/** Recovery codes, shown once: each signs in once in place of a code. */
export const recoveryCodes = z.object({ recovery_codes: z.array(z.string()) });

export const passwordChangeBody = z.strictObject({
  current_password: z.string().min(1).max(256),
  new_password: password,
});

/** One of my sessions. */
export const sessionView = z.object({
  id: uuid,
  created_at: z.string(),
  last_seen_at: z.string(),
  expires_at: z.string(),
  ip: z.string().nullable(),
  user_agent: z.string().nullable(),
  stage: sessionStage,
  /** The session this request came with. */
  current: z.boolean(),
});

/** What the sign-in page may say before anyone signs in. */
export const signInHelp = z.object({
  /** Demo mode only: the demo accounts' current one-time code (production: null). */
  demo_code: z.string().nullable(),
  /** Demo mode only: the documented secret the demo accounts are enrolled with. */
  demo_secret: z.string().nullable(),
});

export const userCreateBody = z.strictObject({
  login: z.string().regex(/^[a-z0-9._-]{3,64}$/, 'use 3–64 lower-case letters, digits, dot, underscore or hyphen'),
  display_name: z.string().trim().min(1).max(100),
  password,
  role,
  authority_id: z.string().nullable().default(null),
  enterprise_id: uuid.nullable().default(null),
});

export const userPatchBody = z.strictObject({
  display_name: z.string().trim().min(1).max(100).optional(),
  active: z.boolean().optional(),
  unlock: z.literal(true).optional(),
  password: password.optional(),
  /**
   * A new role or scope. To a ministry, department or oversight role it is a proposal that an official of the
   * approving authority decides (the account keeps its present role until then); otherwise it applies at once.
   * `authority_id` and `enterprise_id` left out keep the present ones when the role stays, and are null when it changes.
   */
  role: role.optional(),
  authority_id: z.string().max(64).nullable().optional(),
  enterprise_id: uuid.nullable().optional(),
});

/** Two people for privileged accounts: `pending` until an official of the approving authority decides. */
export const grantStatuses = ['pending', 'approved', 'refused'] as const;
export const grantStatus = z.enum(grantStatuses);
export type GrantStatusName = z.infer<typeof grantStatus>;
export const privilegedRole = z.enum(['ministry_official', 'department_official', 'oversight']);

/** `second_factor_reset`: the operator asks to clear a privileged account's second factor (a lost device). */
export const grantKinds = ['create', 'change', 'second_factor_reset'] as const;

/** A proposal to grant a privileged role: a new account (`create`) or a change of an existing one (`change`). */
export const accountGrant = z.object({
  id: uuid,
  user_id: uuid,
  login: z.string(),
  display_name: z.string(),
  kind: z.enum(grantKinds),
  role: privilegedRole,
  authority_id: z.string().nullable(),
  authority_name: z.string().nullable(),
  /** For a change: what the account is until the change is approved. */
  previous_role: role.nullable(),
  previous_authority_id: z.string().nullable(),
  previous_enterprise_id: z.string().nullable(),
  /** Who decides: the officials of this authority, or (role oversight, no authority) the oversight accounts. */
  approver_role: privilegedRole,
  approver_authority_id: z.string().nullable(),
  approver_authority_name: z.string().nullable(),
  proposed_by: uuid,
  proposed_by_login: z.string(),
  proposed_at: z.string(),
  status: grantStatus,
  decided_by: uuid.nullable(),
  decided_by_login: z.string().nullable(),
  decided_at: z.string().nullable(),
  /** Why it was refused. */
  reason: z.string().nullable(),
});
export type AccountGrant = z.infer<typeof accountGrant>;

export const grantQuery = pageQuery.extend({ status: grantStatus.default('pending') });

export const grantRefuseBody = z.strictObject({
  reason: z.string().trim().min(1, 'is required').max(500),
});

export const user = z.object({
  id: uuid,
  login: z.string(),
  display_name: z.string(),
  role,
  authority_id: z.string().nullable(),
  enterprise_id: z.string().nullable(),
  active: z.boolean(),
  /** `pending` or `refused`: the account cannot sign in (a new privileged account waiting for, or refused, approval). */
  grant_status: grantStatus,
  /** The account's latest proposal, decided or not (null when it never had one). */
  grant: accountGrant.nullable(),
  locked_until: z.string().nullable(),
  created_at: z.string(),
});
export type User = z.infer<typeof user>;

/** The operator's reset of a lost authenticator: applied at once, or a proposal waiting for a second person. */
export const secondFactorReset = z.object({ applied: z.boolean(), grant: accountGrant.nullable() });
