import type { Problem } from '../../contracts/common.ts';

/** Every API path starts here; the server also serves the app, so requests stay same-origin. */
export const API_BASE = '/api/v1';

export interface FieldError {
  readonly field: string;
  readonly message: string;
}

/** A failed API call, carrying the server's RFC 9457 problem so pages can show `detail` and field errors. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly fieldErrors: readonly FieldError[];
  /** The values the code refers to (e.g. `{ stage }` of `second_factor_required`, `{ rule }` of `password_policy`). */
  readonly params: Readonly<Record<string, string | number>>;

  constructor(status: number, problem: Partial<Problem>) {
    const detail = problem.detail ?? problem.title ?? `HTTP ${status}`;
    super(detail);
    this.name = 'ApiError';
    this.status = status;
    this.code = problem.code ?? 'unknown';
    this.detail = detail;
    this.fieldErrors = problem.errors ?? [];
    this.params = problem.params ?? {};
  }
}

// The CSRF token comes with the session (login or /auth/me) and must accompany every write.
let csrfToken: string | null = null;
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

// The session provider listens for this, so an expired session anywhere sends the user to sign in.
let onSessionLost: (() => void) | null = null;
export function setSessionLostHandler(handler: (() => void) | null): void {
  onSessionLost = handler;
}

/**
 * The session provider listens for this too: a session that has not finished signing in (the one-time code,
 * the enrolment of an authenticator or a new password is still due) is sent back to that step.
 */
let onStageRequired: ((stage: string) => void) | null = null;
export function setStageRequiredHandler(handler: ((stage: string) => void) | null): void {
  onStageRequired = handler;
}

/**
 * Official acts need a one-time code given by this session in the last few minutes. When a write is refused
 * with `step_up_required`, this handler asks the user for one (and gives it to the server): true once given,
 * false when the user cancels. One handler for the whole app, so every write gets the same dialog.
 */
export type StepUpHandler = (refusal: ApiError) => Promise<boolean>;
let onStepUp: StepUpHandler | null = null;
export function setStepUpHandler(handler: StepUpHandler | null): void {
  onStepUp = handler;
}
// Writes refused at the same moment share one dialog instead of stacking several.
let stepUpInProgress: Promise<boolean> | null = null;
function askForStepUp(refusal: ApiError): Promise<boolean> {
  if (!onStepUp) return Promise.resolve(false);
  if (!stepUpInProgress) {
    stepUpInProgress = onStepUp(refusal).finally(() => {
      stepUpInProgress = null;
    });
  }
  return stepUpInProgress;
}

/** 401s that leave the session as it is: a wrong password or code, or a sign-in step still due. */
const sessionKeepingCodes = new Set(['bad_credentials', 'second_factor_wrong', 'second_factor_required']);

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type QueryValue = string | number | boolean | null | undefined;

/** `?a=1&b=x`, leaving out empty values so the server's defaults apply. */
export function queryString(query: Readonly<Record<string, QueryValue>> = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

async function problemOf(response: Response): Promise<Partial<Problem>> {
  try {
    return (await response.json()) as Partial<Problem>;
  } catch {
    return { title: response.statusText };
  }
}

async function send(method: Method, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const init: RequestInit = { method, headers, credentials: 'same-origin' };
  if (body !== undefined) init.body = JSON.stringify(body);
  try {
    return await fetch(`${API_BASE}${path}`, init);
  } catch {
    throw new ApiError(0, { code: 'network', detail: 'The server cannot be reached.' });
  }
}

async function failureOf(response: Response, path: string): Promise<ApiError> {
  const failure = new ApiError(response.status, await problemOf(response));
  if (response.status === 401) {
    if (failure.code === 'second_factor_required') {
      const stage = failure.params.stage;
      onStageRequired?.(typeof stage === 'string' ? stage : 'second_factor');
    } else if (path !== '/auth/login' && !sessionKeepingCodes.has(failure.code)) {
      // A 401 on login itself is a wrong password, not a lost session.
      onSessionLost?.();
    }
  }
  return failure;
}

export async function request<T>(method: Method, path: string, body?: unknown): Promise<T> {
  let response = await send(method, path, body);
  if (!response.ok) {
    const failure = await failureOf(response, path);
    // An official act without a recent one-time code: ask for one, then send the same request once more.
    if (method === 'GET' || failure.status !== 403 || failure.code !== 'step_up_required') throw failure;
    if (!(await askForStepUp(failure))) throw failure;
    response = await send(method, path, body);
    if (!response.ok) throw await failureOf(response, path);
  }
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

export const api = {
  get: <T>(path: string, query?: Readonly<Record<string, QueryValue>>) =>
    request<T>('GET', `${path}${queryString(query)}`),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {}),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  delete: <T>(path: string) => request<T>('DELETE', path),
};

/** The message to show for any failure: the server's detail when it sent one. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) return error.detail;
  if (error instanceof Error) return error.message;
  return String(error);
}
