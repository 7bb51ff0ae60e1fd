import { isIP } from 'node:net';
import { z } from 'zod';

/** An IPv4 or IPv6 address, or one with a /prefix length that fits it. */
function isAddressOrRange(item: string): boolean {
  const [address = '', prefix, ...rest] = item.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d{1,3}$/.test(prefix) && bits <= (version === 4 ? 32 : 128);
}

/** A comma-separated setting as its items, trimmed, empty ones dropped (unset: none). */
const commaList = z
  .string()
  .default('')
  .transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  );

/** The signing secret of the demo: production refuses it (productionSettingsMissing). */
export const DEMO_SIGNING_KEY_SECRET = 'monazite-demo-signing-secret-change-me';

/** Environment, parsed once and frozen. Every knob the server has is here, with its default. */
const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  /** A PostgreSQL server; empty or unset means the embedded PGlite. */
  DATABASE_URL: z.preprocess((value) => (value === '' ? undefined : value), z.url().optional()),
  /**
   * Read replicas of the PostgreSQL at DATABASE_URL: one or more comma-separated URLs (docs/operations.md, "Read
   * replicas"). Read-only routes (traces, certificate checks, dashboards, boards, EPCIS queries, exports, lists) read
   * from one of them in turn while its lag is within REPLICA_MAX_LAG_MS; everything else uses DATABASE_URL.
   */
  DATABASE_READ_URL: commaList.pipe(z.array(z.url())),
  /** A replica further behind the primary than this (measured every REPLICA_LAG_SAMPLE_MS) is not read from. */
  REPLICA_MAX_LAG_MS: z.coerce.number().int().positive().default(5000),
  REPLICA_LAG_SAMPLE_MS: z.coerce.number().int().min(50).max(60_000).default(2000),
  /**
   * Read-your-own-write: for this long after a user's (or session's) last write, their reads go to the primary.
   * Kept in each process's memory: with several processes, the window is per process. Keep it at least
   * REPLICA_MAX_LAG_MS plus REPLICA_LAG_SAMPLE_MS.
   */
  REPLICA_STICKY_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  /** Data directory of the embedded database when DATABASE_URL is not set; `memory://` keeps it in memory. */
  PGLITE_DATA_DIR: z.string().default('./data/pglite'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Statement timeout on the PostgreSQL server, in milliseconds. */
  STATEMENT_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  /** Request body limit in bytes. */
  BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(1_048_576),
  /**
   * The secret that seals the SM2 signing keys of enterprises and divisions at rest (SM4). Set your own in
   * production and keep it out of the database's backups; the default is for a demo.
   */
  SIGNING_KEY_SECRET: z.string().min(16).default(DEMO_SIGNING_KEY_SECRET),
  /** A session ends this many hours after sign-in however busy it is (absolute timeout). */
  SESSION_TTL_HOURS: z.coerce.number().int().positive().default(12),
  /** A session ends after this many minutes without a request (idle timeout). */
  SESSION_IDLE_MINUTES: z.coerce.number().int().positive().default(30),
  /**
   * Official acts (approving indicators, issuing allocations, forwarding reports, decisions, grants…) need a second
   * factor given by the session within this many minutes (step-up; docs/security.md).
   */
  STEP_UP_MINUTES: z.coerce.number().positive().max(60).default(5),
  /** Enterprise users need a second factor when their enterprise's protection level is at least this (1–5). */
  SECOND_FACTOR_ENTERPRISE_LEVEL: z.coerce.number().int().min(1).max(6).default(3),
  /** The name authenticator apps show beside the account. */
  SECOND_FACTOR_ISSUER: z.string().min(1).max(40).default('Monazite'),
  /** Password policy: at least this many characters, three of four character classes, not containing the login. */
  PASSWORD_MIN_LENGTH: z.coerce.number().int().min(8).max(128).default(12),
  /** A new password may not be any of the account's last this-many passwords (0: no history). */
  PASSWORD_HISTORY: z.coerce.number().int().min(0).max(24).default(5),
  /** A password older than this many days must be changed at sign-in (0: never). */
  PASSWORD_MAX_AGE_DAYS: z.coerce.number().int().min(0).max(3650).default(90),
  /**
   * Sign-in throttling, by login and client address together (docs/security.md): after this many failures in a
   * row from one address for one login, each further attempt from there waits a delay that starts at
   * LOGIN_THROTTLE_BASE_SECONDS and doubles with every failure, up to LOGIN_THROTTLE_MAX_SECONDS.
   */
  LOGIN_THROTTLE_FREE_ATTEMPTS: z.coerce.number().int().positive().default(5),
  LOGIN_THROTTLE_BASE_SECONDS: z.coerce.number().int().positive().default(30),
  LOGIN_THROTTLE_MAX_SECONDS: z.coerce.number().int().positive().default(900),
  /**
   * The proxies whose X-Forwarded-For is believed: a comma-separated list of addresses or CIDR ranges
   * (`127.0.0.1,10.0.0.0/8`). Empty (the default): none, and the client address is the socket's.
   */
  TRUST_PROXY: commaList.refine(
    (items) => items.every(isAddressOrRange),
    'must be a comma-separated list of IP addresses or CIDR ranges',
  ),
  /** Requests per minute per client address (login has its own, tighter limit). */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(600),
  LOGIN_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(20),
  /** Set the Secure flag on the session cookie (turn on behind HTTPS). */
  COOKIE_SECURE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
  /**
   * The GeoJSON province map the dashboards draw (served at /api/v1/public/maps/china). Empty means the
   * schematic map of the china-geojson package, which is not an approved standard map: point this at a map
   * with an approval number (审图号) where one is required.
   */
  CHINA_MAP_FILE: z.string().default(''),
  /**
   * The CJK font the PDF exports embed: a .ttf/.otf file, or a .ttc collection as `/path/font.ttc#PostScriptName`.
   * Unset: Source Han Sans SC, installed with the npm packages. Checked at start: a bad one stops the server.
   */
  PDF_FONT_PATH: z.preprocess((value) => (value === '' ? undefined : value), z.string().optional()),
  /**
   * The server's JavaScript heap ceiling in MB (--max-old-space-size of the process the supervisor starts);
   * 0 means half of the memory available (the container's limit where there is one), between 512 and 4096.
   */
  HEAP_LIMIT_MB: z.coerce.number().int().min(0).default(0),
  /**
   * `serve` runs the server under a supervisor that restarts it after a fatal error (src/server/supervisor.ts).
   * Turn off where a service manager already restarts it and should see its exit (docs/operations.md).
   */
  SUPERVISE: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true'),
  /**
   * How many server processes the supervisor runs, sharing the port (node:cluster). More than one needs PostgreSQL
   * (DATABASE_URL): the processes share nothing in memory, and the embedded database belongs to one process.
   */
  WORKERS: z.coerce.number().int().min(1).max(64).default(1),
  /**
   * Where request counts for the rate limit are kept: `database` (an unlogged table, shared by every process on
   * the same PostgreSQL; one more statement per request) or `memory` (this process only). Unset: `database` when
   * WORKERS is above 1, else `memory`. Several instances behind a proxy: set `database`.
   */
  RATE_LIMIT_STORE: z.enum(['database', 'memory']).optional(),
  /**
   * The anchor log the server appends a signed anchor of the audit chain's head to, at start and every
   * AUDIT_ANCHOR_INTERVAL_MINUTES (docs/security.md, "Anchoring the audit chain"). Empty: the server does not anchor.
   */
  AUDIT_ANCHOR_FILE: z.string().default(''),
  AUDIT_ANCHOR_INTERVAL_MINUTES: z.coerce.number().int().positive().max(10_080).default(60),
  /**
   * The audit sequencer (ADR 0011): how often it sweeps for pending entries (any a request did not seal, or another
   * process left), and how long a request that recorded entries waits, after its commit, for them to be sealed
   * before it answers (0: it does not wait; the sweep seals them).
   */
  AUDIT_SEAL_INTERVAL_MS: z.coerce.number().int().min(100).max(60_000).default(1000),
  AUDIT_SEAL_WAIT_MS: z.coerce.number().int().min(0).max(30_000).default(2000),
  /**
   * How long a resolved API token is remembered by the process that resolved it (0: never), so a client's burst of
   * requests costs one lookup (ADR 0013). A revocation, a disabled user or a changed role takes effect at once in the
   * process that made it, and within this time in the others.
   */
  TOKEN_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  /**
   * How long the public certificate check's answer may be kept: a server process answers again from memory while the
   * months the certificate cites have had no seal and no event recorded since (one small query), and re-hashes the
   * months after this many seconds; browsers and shared caches may keep it as long (Cache-Control max-age). 0: hash
   * on every check, and no caching outside.
   */
  CERTIFICATE_CACHE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(60),
  /**
   * A server process gives a dashboard again from memory while no write has been recorded since it was made, on the
   * same Beijing day, for at most this many seconds (what changes with the clock alone is at most this late). 0: off.
   */
  DASHBOARD_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
  /**
   * `production` (or `monazite serve --production`): the server refuses to start with the demo's settings
   * (productionSettingsMissing), and the sign-in page never shows the demo accounts' one-time code (docs/security.md).
   */
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  /** On SIGTERM or SIGINT the server waits this long for the requests in flight before it exits anyway. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(30_000),
  /** Load demo data into an empty database at start. */
  DEMO_DATA: z
    .enum(['true', 'false'])
    .default('true')
    .transform((value) => value === 'true'),
});

export type Config = Readonly<z.infer<typeof configSchema>>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return Object.freeze(parsed.data);
}

/**
 * What production (NODE_ENV=production) refuses, each as the setting to change: the demo signing secret (or one too
 * short to be a secret), demo data, and a session cookie without the Secure flag. Empty when nothing is missing.
 */
export function productionSettingsMissing(config: Config): string[] {
  const missing: string[] = [];
  if (config.SIGNING_KEY_SECRET === DEMO_SIGNING_KEY_SECRET || config.SIGNING_KEY_SECRET.length < 32)
    missing.push('SIGNING_KEY_SECRET (a secret of your own, at least 32 characters)');
  if (config.DEMO_DATA) missing.push('DEMO_DATA=false');
  if (!config.COOKIE_SECURE) missing.push('COOKIE_SECURE=true (serve behind HTTPS)');
  return missing;
}
