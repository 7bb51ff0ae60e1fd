import type { AnnualReportContent, AnnualReportStatus } from '../../../contracts/supervision-annual.ts';
import type {
  DecisionKind,
  DecisionStatus,
  InspectionOutcome,
  SupervisingDepartment,
} from '../../db/schema-supervision.ts';
import type { QuotaLine } from '../ledger/ledger.rules.ts';
import { lineFacts, parsePeriod, ratioPpm, reportLine } from '../reporting/reporting.rules.ts';
import { isOverdue, violationTypes } from './supervision.rules.ts';

/**
 * The pure rules of the provincial annual supervision report (Art. 12 ¶3): when it is due and where a province
 * stands, and how the report is assembled from the year's records — every figure counted or added up here, from
 * the rows the repository read, and from nothing else.
 */

type Content = AnnualReportContent;

/** The report is addressed to the two ministries Art. 12 ¶3 names. */
export const ADDRESSEES = ['MIIT', 'MNR'] as const;

/** 31 December of the year, 23:59:59.999 Beijing time: "by the end of December each year". */
export const annualDeadline = (year: number): Date => new Date(`${year}-12-31T23:59:59.999+08:00`);

/** The report falls due with the last month of the year: not due before 1 December (Beijing time). */
export const submissionOpens = (year: number): Date => new Date(`${year}-12-01T00:00:00+08:00`);

/** Where a province stands for a year: submitted (late when its first version came after the deadline), or not. */
export function annualStatus(
  year: number,
  firstSubmittedAt: Date | null,
  now: Date,
): { status: AnnualReportStatus; late: boolean } {
  const deadline = annualDeadline(year).getTime();
  if (firstSubmittedAt) return { status: 'submitted', late: firstSubmittedAt.getTime() > deadline };
  if (now.getTime() < submissionOpens(year).getTime()) return { status: 'not_due', late: false };
  return now.getTime() <= deadline ? { status: 'due', late: false } : { status: 'late', late: true };
}

/** Short Chinese names of the violation types and of the articles they rest on, for the official layout. */
export const violationTypeLabels: Record<keyof typeof violationTypes, { label: string; basis: string }> = {
  exceeding_indicators: { label: '超出总量控制指标开采、冶炼分离', basis: '《办法》第八条、第十三条' },
  undesignated_production: { label: '未经确定从事稀土开采、冶炼分离', basis: '《办法》第七条；《稀土管理条例》' },
  flow_records_missing: { label: '未记录或未按时录入流向信息', basis: '《办法》第十条' },
  false_records: { label: '流向信息记录不真实、不准确', basis: '《办法》第十条' },
  obstructing_inspection: { label: '拒绝、阻碍监督检查', basis: '《办法》第十三条' },
  network_data_security: { label: '未履行网络和数据安全保护义务', basis: '《办法》第十一条' },
};

export const decisionKindLabels: Record<DecisionKind, string> = {
  correction_order: '责令改正',
  fine: '罚款',
  suspension: '责令停产停业',
  referral: '移送公安机关',
};

/* The rows the repository reads: the records of the province's enterprises dated in the year. */

export interface InspectionRecord {
  readonly id: string;
  readonly enterprise_id: string;
  readonly enterprise_name: string;
  readonly credit_code: string;
  readonly division_code: string;
  readonly department: SupervisingDepartment;
  readonly planned_on: string;
  readonly visited_on: string | null;
  readonly outcome: InspectionOutcome | null;
}

export interface DecisionRecord {
  readonly id: string;
  readonly enterprise_id: string;
  readonly enterprise_name: string;
  readonly kind: DecisionKind;
  readonly status: DecisionStatus;
  readonly document_no: string;
  readonly decided_on: string;
  readonly correction_due_on: string | null;
  readonly fine_yuan: number | null;
  readonly final: boolean;
  /** Set aside on reconsideration or by a court (then closed, never final). */
  readonly revoked_on: string | null;
}

export interface EnterpriseRecord {
  readonly id: string;
  readonly name: string;
  readonly credit_code: string;
  readonly domicile_code: string;
}

export interface AnnualRecords {
  readonly province: { readonly code: string; readonly name: string };
  readonly year: number;
  readonly now: Date;
  /** The Beijing date the records are read on: overdue correction orders are judged on it. */
  readonly asOf: string;
  readonly inspections: readonly InspectionRecord[];
  /** The type of every violation found in the year. */
  readonly violationTypes: readonly string[];
  readonly decisions: readonly DecisionRecord[];
  readonly enterprises: readonly EnterpriseRecord[];
  /** The year's production by month and product category (flow records), of those enterprises. */
  readonly production: readonly { enterprise_id: string; period: string; category: string; reo_kg: number }[];
  /** Each enterprise's quota lines of the year (the ledger). */
  readonly quota: ReadonlyMap<string, readonly QuotaLine[]>;
}

const inYear = (date: string | null, year: number): boolean => date !== null && date.startsWith(`${year}-`);

export function assembleInspections(records: AnnualRecords): Content['inspections'] {
  const { year } = records;
  const planned = records.inspections.filter((row) => inYear(row.planned_on, year));
  const visited = records.inspections.filter((row) => inYear(row.visited_on, year));
  const outcomes = { no_violation: 0, violation_found: 0, obstructed: 0 };
  for (const row of visited) if (row.outcome) outcomes[row.outcome] += 1;
  const items = [...records.inspections]
    .sort(
      (a, b) =>
        a.enterprise_name.localeCompare(b.enterprise_name, 'zh-CN') ||
        a.enterprise_id.localeCompare(b.enterprise_id) ||
        a.planned_on.localeCompare(b.planned_on) ||
        a.id.localeCompare(b.id),
    )
    .map((row) => ({
      inspection_id: row.id,
      enterprise_id: row.enterprise_id,
      enterprise_name: row.enterprise_name,
      credit_code: row.credit_code,
      division_code: row.division_code,
      department: row.department,
      planned_on: row.planned_on,
      visited_on: row.visited_on,
      outcome: row.outcome,
    }));
  return {
    planned: planned.length,
    visited: visited.length,
    pending: planned.filter((row) => row.visited_on === null).length,
    outcomes,
    items,
  };
}

/** Every known type (zero included) in the table's order, then any other type found in the records. */
export function assembleViolations(types: readonly string[]): Content['violations'] {
  const counts = new Map<string, number>();
  for (const type of types) counts.set(type, (counts.get(type) ?? 0) + 1);
  const known = Object.entries(violationTypes).map(([type, basis]) => {
    const labels = violationTypeLabels[type as keyof typeof violationTypes];
    return {
      type,
      label: labels.label,
      citation: basis.citation,
      legal_basis: labels.basis,
      count: counts.get(type) ?? 0,
    };
  });
  const others = [...counts.keys()]
    .filter((type) => !Object.hasOwn(violationTypes, type))
    .sort()
    .map((type) => ({ type, label: type, citation: '', legal_basis: '', count: counts.get(type) ?? 0 }));
  return { total: types.length, by_type: [...known, ...others] };
}

export function assembleDecisions(decisions: readonly DecisionRecord[], asOf: string): Content['decisions'] {
  const kinds = Object.keys(decisionKindLabels) as DecisionKind[];
  const by_kind = kinds.map((kind) => {
    const list = decisions.filter((row) => row.kind === kind);
    const count = (test: (row: DecisionRecord) => boolean) => list.filter(test).length;
    // A fine set aside was not imposed: its amount does not count.
    const standing = list.filter((row) => row.revoked_on === null);
    return {
      kind,
      label: decisionKindLabels[kind],
      count: list.length,
      open: count((row) => row.status === 'open'),
      complied: count((row) => row.status === 'complied'),
      closed: count((row) => row.status === 'closed'),
      overdue: count((row) => isOverdue(row, asOf)),
      revoked: count((row) => row.revoked_on !== null),
      fine_yuan: standing.reduce((sum, row) => sum + (row.kind === 'fine' ? (row.fine_yuan ?? 0) : 0), 0),
      final: count((row) => row.final),
    };
  });
  const fines = decisions.filter((row) => row.kind === 'fine' && row.revoked_on === null);
  const final_penalties = decisions
    .filter((row) => row.final)
    .sort((a, b) => a.decided_on.localeCompare(b.decided_on) || a.document_no.localeCompare(b.document_no))
    .map((row) => ({
      decision_id: row.id,
      enterprise_id: row.enterprise_id,
      enterprise_name: row.enterprise_name,
      kind: row.kind,
      document_no: row.document_no,
      decided_on: row.decided_on,
      fine_yuan: row.fine_yuan,
    }));
  return {
    total: decisions.length,
    by_kind,
    fines: { count: fines.length, total_yuan: fines.reduce((sum, row) => sum + (row.fine_yuan ?? 0), 0) },
    final_penalties,
  };
}

/**
 * Each enterprise's execution of its indicators, by the rules of the Art. 9 annual report (reporting.rules.ts:
 * allocated less reductions from the ledger, the year's output from the flow records), with the ledger's
 * consumption beside it; and the totals per category.
 */
export function assembleIndicators(records: AnnualRecords): Content['indicators'] {
  const period = parsePeriod(String(records.year));
  const enterprises = records.enterprises.map((enterprise) => {
    const own = records.production.filter((row) => row.enterprise_id === enterprise.id);
    const facts = lineFacts(period, own, records.quota.get(enterprise.id) ?? [], []);
    return {
      enterprise_id: enterprise.id,
      enterprise_name: enterprise.name,
      credit_code: enterprise.credit_code,
      domicile_code: enterprise.domicile_code,
      lines: facts.map((fact) => {
        const line = reportLine(fact, undefined, 'year');
        return {
          category: line.category,
          allocated_reo_kg: line.allocated_reo_kg,
          produced_reo_kg: line.production_reo_kg,
          consumed_reo_kg: line.ledger_consumed_reo_kg,
          remaining_reo_kg: line.remaining_reo_kg,
          utilisation_ppm: line.utilisation_ppm,
        };
      }),
    };
  });
  const totals = new Map<string, Content['indicators']['totals'][number]>();
  for (const line of enterprises.flatMap((enterprise) => enterprise.lines)) {
    const total = totals.get(line.category);
    totals.set(line.category, {
      category: line.category,
      allocated_reo_kg: (total?.allocated_reo_kg ?? 0) + line.allocated_reo_kg,
      produced_reo_kg: (total?.produced_reo_kg ?? 0) + line.produced_reo_kg,
      consumed_reo_kg: (total?.consumed_reo_kg ?? 0) + line.consumed_reo_kg,
      remaining_reo_kg: (total?.remaining_reo_kg ?? 0) + line.remaining_reo_kg,
      utilisation_ppm: null,
    });
  }
  return {
    enterprises,
    totals: [...totals.values()]
      .sort((a, b) => a.category.localeCompare(b.category))
      .map((line) => ({ ...line, utilisation_ppm: ratioPpm(line.produced_reo_kg, line.allocated_reo_kg) })),
  };
}

/** The whole report, from the year's records. */
export function assembleAnnualReport(records: AnnualRecords): Content {
  return {
    province_code: records.province.code,
    province_name: records.province.name,
    year: records.year,
    from: `${records.year}-01-01`,
    to: `${records.year}-12-31`,
    as_of: records.asOf,
    generated_at: records.now.toISOString(),
    inspections: assembleInspections(records),
    violations: assembleViolations(records.violationTypes),
    decisions: assembleDecisions(records.decisions, records.asOf),
    indicators: assembleIndicators(records),
  };
}
