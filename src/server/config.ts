import { z } from 'zod';

/** Environment, parsed once and frozen. Every knob the server has is here, with its default. */
const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  /** A PostgreSQL server; empty or unset means the embedded PGlite. */
  DATABASE_URL: z.preprocess((value) => (value === '' ? undefined : value), z.url().optional()),
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
  SIGNING_KEY_SECRET: z.string().min(16).default('monazite-demo-signing-secret-change-me'),
  SESSION_TTL_HOURS: z.coerce.number().int().positive().default(12),
  /** Failed logins in a row before the account locks, and for how long. */
  LOCKOUT_THRESHOLD: z.coerce.number().int().positive().default(5),
  LOCKOUT_MINUTES: z.coerce.number().int().positive().default(15),
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
   * Unset: the server looks in the usual places (Debian's fonts-noto-cjk first).
   */
  PDF_FONT_PATH: z.preprocess((value) => (value === '' ? undefined : value), z.string().optional()),
  /**
   * The anchor log the server appends a signed anchor of the audit chain's head to, at start and every
   * AUDIT_ANCHOR_INTERVAL_MINUTES (docs/security.md, "Anchoring the audit chain"). Empty: the server does not anchor.
   */
  AUDIT_ANCHOR_FILE: z.string().default(''),
  AUDIT_ANCHOR_INTERVAL_MINUTES: z.coerce.number().int().positive().max(10_080).default(60),
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
