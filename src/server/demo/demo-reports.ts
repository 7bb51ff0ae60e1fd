import { NATION_CODE } from '../../contracts/reporting.ts';
import type { DatabaseHandle } from '../db/database.ts';
import { SYSTEM_ACTOR } from '../modules/audit/index.ts';
import type { Actor } from '../modules/auth/index.ts';
import { compilationDraft, compile, forwardCompilation } from '../modules/reporting/compilations.service.ts';
import { reconcileToAnomalies } from '../modules/reporting/reconciliation.service.ts';
import { returnReport, submitReport } from '../modules/reporting/reports.service.ts';
import { reportingTree } from '../modules/reporting/reporting.tree.ts';
import { parsePeriod } from '../modules/reporting/reporting.rules.ts';
import type { Sealer } from '../shared/signing.ts';

/**
 * Demo implementation reports (Art. 9) over the demo flows: July–September 2026 reported by every designated
 * enterprise and compiled up to the nation (one enterprise late in August); October part way — most enterprises
 * in, one returned for correction, two missing, the counties that could compile have, nothing above them yet.
 */

const SYSTEM = { actor: SYSTEM_ACTOR, requestId: 'demo' };

function actor(fields: Partial<Actor> & Pick<Actor, 'role' | 'login'>): Actor {
  return {
    userId: '00000000-0000-0000-0000-000000000000',
    displayName: fields.login,
    authorityId: null,
    department: null,
    divisionCode: null,
    enterpriseId: null,
    via: 'session',
    ...fields,
  };
}

const enterpriseActor = (id: string) =>
  actor({ role: 'enterprise_user', login: `demo.${id.slice(0, 8)}`, enterpriseId: id });
const divisionActor = (code: string) =>
  code === NATION_CODE
    ? actor({ role: 'ministry_official', login: 'miit', department: 'industry_it' })
    : actor({ role: 'department_official', login: `demo.${code}`, department: 'industry_it', divisionCode: code });

const day = (period: string, dayOfNextMonth: number, hour = 10) => {
  const first = parsePeriod(period).end; // the first instant of the next month, Beijing
  return new Date(first.getTime() + (dayOfNextMonth - 1) * 86_400_000 + hour * 3_600_000);
};

export async function loadDemoReports(
  database: DatabaseHandle,
  sealer: Sealer,
): Promise<{ reports: number; compilations: number }> {
  const db = database.db;
  let reports = 0;
  let compilations = 0;
  for (const period of ['2026-07', '2026-08', '2026-09', '2026-10']) {
    const tree = await reportingTree(db, parsePeriod(period));
    const enterprises = [...tree.enterprises.values()].sort((a, b) => a.id.localeCompare(b.id));
    const october = period === '2026-10';
    const missing = october ? new Set(enterprises.slice(-2).map((enterprise) => enterprise.id)) : new Set<string>();
    for (const [index, enterprise] of enterprises.entries()) {
      if (missing.has(enterprise.id)) continue;
      const late = period === '2026-08' && index === 0;
      await submitReport(
        db,
        sealer,
        enterpriseActor(enterprise.id),
        SYSTEM,
        { period, figures: [], idempotency_key: `demo-report-${period}-${enterprise.id}` },
        day(period, late ? 12 : 5 + (index % 4)),
      );
      reports += 1;
    }
    if (october) {
      const returned = enterprises.find((enterprise) => !missing.has(enterprise.id));
      if (returned) {
        const report = await db
          .selectFrom('report')
          .select('id')
          .where('enterprise_id', '=', returned.id)
          .where('period', '=', '2026-10-01')
          .executeTakeFirstOrThrow();
        await returnReport(
          db,
          divisionActor(returned.domicile_code),
          SYSTEM,
          report.id,
          '本期产量与流向记录中的出库数量需核对，请核实后更正重报。',
          day(period, 12),
        );
      }
    }
    // Compile bottom-up: counties (and any division with enterprises of its own) first, the nation last.
    const depth = (code: string): number => {
      const parent = tree.divisions.get(code)?.parent;
      return parent ? 1 + depth(parent) : 0;
    };
    const order = [...tree.divisions.keys()].sort((a, b) => depth(b) - depth(a));
    const dayOf = { county: 13, prefecture: 18, province: 23, nation: 27 } as const;
    for (const code of order) {
      const node = tree.divisions.get(code)!;
      const compiler = divisionActor(code);
      const when = day(period, dayOf[node.level] ?? 13);
      const draft = await compilationDraft(db, compiler, code, period);
      if (draft.returned.length > 0) continue;
      if (october && (node.level !== 'county' || draft.absent.some((child) => child.status === 'missing'))) continue;
      const reasons = Object.fromEntries(
        draft.absent.map((child) => [
          child.code,
          child.status === 'late' ? '企业报送系统故障，已补报' : '企业未报送，已催报',
        ]),
      );
      const { compilation } = await compile(
        db,
        sealer,
        compiler,
        SYSTEM,
        { division_code: code, period, reasons, idempotency_key: `demo-compile-${period}-${code}` },
        when,
      );
      compilations += 1;
      if (code !== NATION_CODE) await forwardCompilation(db, compiler, SYSTEM, compilation.id, when);
    }
    await reconcileToAnomalies(db, period);
  }
  return { reports, compilations };
}
