import { sql } from 'kysely';
import type { Config } from '../server/config.ts';
import type { DatabaseHandle } from '../server/db/database.ts';
import type { Executor } from '../server/db/executor.ts';
import { adminCommands } from '../server/modules/admin/admin.commands.ts';
import { migrateAudited } from '../server/modules/admin/admin.service.ts';
import { SYSTEM_ACTOR } from '../server/modules/audit/index.ts';
import { findUserByLogin } from '../server/modules/auth/auth.repository.ts';
import { actorFromToken, createToken } from '../server/modules/auth/auth.service.ts';
import { issueCertificate } from '../server/modules/trace/certificates.service.ts';
import { benchRegister } from './bench-flows.data.ts';
import { countiesByProvince, insertRegister, loadMonths, period, prepareSchema } from './bench-flows.load.ts';
import { sampleIds } from './bench-flows.measure.ts';
import { FlowSimulation } from './bench-flows.sim.ts';

/**
 * The load run's data, written straight into its throwaway database before the server starts: the demo (as
 * `monazite demo` loads it), a synthetic national year of flows (the flow benchmark's generator and its validated
 * ingest), certificates to check, API tokens for a provincial official and a ministry official, and the paths each
 * scenario asks for.
 */

/** The demo's provincial official (Inner Mongolia, industry & IT) and a ministry official. */
const OFFICIAL_LOGIN = 'nmg.iit';
const OFFICIAL_PROVINCE = '15';
const MINISTRY_LOGIN = 'miit';
const CERTIFICATES = 50;
const SAMPLES = 200;

export interface LoadShape {
  readonly events: number;
  readonly months: number;
  readonly seed: number;
}

export interface LoadTargets {
  /** Flow events recorded for the generated year. */
  readonly events: number;
  readonly officialToken: string;
  readonly ministryToken: string;
  /** Codes of issued certificates, checked on the public endpoint. */
  readonly certificates: readonly string[];
  /** Batches the provincial official may trace (made in the province). */
  readonly traceIds: readonly number[];
  /** List and detail reads within the provincial official's scope, paths under /api/v1. */
  readonly readPaths: readonly string[];
  /** The ministry dashboard of the generated year. */
  readonly dashboardPath: string;
}

export async function prepareLoadData(
  handle: DatabaseHandle,
  config: Config,
  shape: LoadShape,
  progress: (line: string) => void,
): Promise<LoadTargets> {
  const context = { actor: SYSTEM_ACTOR, requestId: 'load' };
  await migrateAudited(handle.db, context);
  progress('load: demo data');
  const quiet = { out: () => undefined, err: (text: string) => progress(text) };
  const demo = await adminCommands.demo.run({ database: handle, config, context, io: quiet, path: 'direct' }, {});
  if (demo !== 0) throw new Error('the demo data did not load');
  progress(`load: a national year of ${shape.events.toLocaleString('en-US')} flow events`);
  await prepareSchema(handle.db);
  const counties = await countiesByProvince(handle.db);
  const register = benchRegister(shape, (province) => counties.get(province) ?? []);
  const ids = await insertRegister(handle.db, register);
  const simulation = new FlowSimulation(register, shape);
  const load = await loadMonths(handle, ids, simulation, shape.months, shape.seed, progress);

  const officialToken = await tokenOf(handle.db, OFFICIAL_LOGIN);
  const ministryToken = await tokenOf(handle.db, MINISTRY_LOGIN);
  const ministry = (await actorFromToken(handle.db, ministryToken))?.actor;
  if (!ministry) throw new Error(`the token of ${MINISTRY_LOGIN} does not authenticate`);
  const made = await madeInProvince(handle.db, OFFICIAL_PROVINCE);
  const traceIds = sampleIds(made, SAMPLES, shape.seed);
  progress(`load: ${CERTIFICATES} certificates`);
  const audit = { actor: { id: ministry.userId, login: ministry.login, role: ministry.role }, requestId: 'load' };
  const certificates: string[] = [];
  for (const batchId of sampleIds(made, CERTIFICATES, shape.seed + 1)) {
    const issued = await issueCertificate(handle.db, ministry, audit, batchId);
    certificates.push(issued.code);
  }
  const enterprises = await enterprisesOf(handle.db, OFFICIAL_PROVINCE);
  // Settled before the server starts, as a database some hours after month end: statistics taken and the tables
  // vacuumed, so no autovacuum of the fresh year runs under the load.
  progress('load: VACUUM (ANALYZE)');
  await sql`VACUUM (ANALYZE)`.execute(handle.db);
  return {
    events: load.events,
    officialToken,
    ministryToken,
    certificates,
    traceIds,
    readPaths: readPaths(enterprises, traceIds, shape.months),
    dashboardPath: `/dashboard?year=${period(1).slice(0, 4)}`,
  };
}

async function tokenOf(db: Executor, login: string): Promise<string> {
  const user = await findUserByLogin(db, login);
  if (!user) throw new Error(`the demo has no user ${login}`);
  const { token } = await createToken(db, { actor: SYSTEM_ACTOR, requestId: 'load' }, user.id, 'load', 1);
  return token;
}

/** Batches made by a transform of an enterprise domiciled in the province: what its officials trace. */
async function madeInProvince(db: Executor, province: string): Promise<number[]> {
  const rows = await sql<{ id: number }>`
    SELECT b.id::float8 AS id FROM flow_batch b JOIN enterprise m ON m.id = b.maker_id
    WHERE b.origin_kind = 'transform' AND starts_with(m.domicile_code, ${province}) ORDER BY b.id`.execute(db);
  if (rows.rows.length === 0) throw new Error(`no batch was made in province ${province}: use more --events`);
  return rows.rows.map((row) => row.id);
}

/** The province's enterprises with flows, and the months they recorded. */
async function enterprisesOf(db: Executor, province: string): Promise<{ id: string; period: string }[]> {
  const rows = await sql<{ id: string; period: string }>`
    SELECT DISTINCT s.enterprise_id AS id, to_char(s.period, 'YYYY-MM') AS period
    FROM flow_summary s JOIN enterprise e ON e.id = s.enterprise_id
    WHERE starts_with(e.domicile_code, ${province}) ORDER BY 1, 2 LIMIT 200`.execute(db);
  return rows.rows;
}

/** A mix of what an official clicks through: lists (register, a month's flows, declarations) and details. */
function readPaths(months: readonly { id: string; period: string }[], batches: readonly number[], count: number) {
  const paths = ['/enterprises', '/declarations/board?period=' + period(count)];
  for (const [index, month] of months.entries()) {
    paths.push(`/enterprises/${month.id}`, `/flows?enterprise_id=${month.id}&period=${month.period}&page_size=50`);
    paths.push(`/declarations?enterprise_id=${month.id}&year=${month.period.slice(0, 4)}`);
    const batch = batches[index % batches.length];
    if (batch !== undefined) paths.push(`/batches/${batch}`);
  }
  return paths;
}
