import type { DecisionCreateBody } from '../../contracts/supervision.ts';
import type { Executor } from '../db/executor.ts';
import type { AuditContext } from '../modules/audit/index.ts';
import { findUserByLogin } from '../modules/auth/auth.repository.ts';
import { actorFrom } from '../modules/auth/auth.service.ts';
import type { Actor } from '../modules/auth/index.ts';
import { decide, moveDecision, reportUpward } from '../modules/supervision/decisions.service.ts';
import { attachEvidence } from '../modules/supervision/evidence.service.ts';
import { planInspection, recordVisit } from '../modules/supervision/inspections.service.ts';
import { recordViolation } from '../modules/supervision/violations.service.ts';
import { demoEnterprises } from './demo-data.ts';

/**
 * Demo supervision (Arts. 12–14, 16) over the anomalies the demo flows leave in October 2026, loaded through
 * the services as the demo officials:
 *
 * - Inner Mongolia: Baotou inspects the Kundulun plant (an unmatched shipment, a late declaration) — an overdue
 *   correction order and a final fine, both reported up to the province; the province plans a routine check of
 *   the Jiuyuan plant.
 * - Jiangxi: Ganzhou natural resources inspects the Longnan mine (output above its quota) — a suspension not yet
 *   final, reported to the province — and the Dingnan plant (a missing declaration, a quantity mismatch) — one
 *   correction order complied with, one closed; Longnan plans a follow-up visit to the mine.
 * - Yunnan: MIIT inspects the undesignated Lincang mine and refers the case to the public security organ.
 *
 * The decisions are dated up to DEMO_NOW; the correction order due on 24 November is overdue from then on.
 * The final fine is a 2026 penalty: a 2027 indicator plan reduces Kundulun's basis (Art. 14).
 */

/** The demo's "today" for the dates the services check (nothing is dated after it). */
export const DEMO_SUPERVISION_NOW = new Date('2026-11-27T10:00:00+08:00');

export interface DemoSupervisionSummary {
  inspections: number;
  violations: number;
  decisions: number;
  evidence: number;
}

/** A small, valid one-page PDF (the inspection record), its cross-reference table computed. */
export function demoEvidencePdf(lines: readonly string[]): Buffer {
  const escape = (text: string) => text.replace(/[\\()]/g, (char) => `\\${char}`);
  const stream = [
    'BT /F1 11 Tf 56 780 Td 14 TL',
    ...lines.map((line, index) => `${index === 0 ? '' : 'T* '}(${escape(line)}) Tj`),
    'ET',
  ].join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    `<< /Length ${Buffer.byteLength(stream, 'latin1')} >>\nstream\n${stream}\nendstream`,
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, index) => {
    offsets.push(Buffer.byteLength(body, 'latin1'));
    body += `${index + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body, 'latin1');
  body +=
    `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n` +
    offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('') +
    `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

type EnterpriseKey = 'kundulun' | 'jiuyuan' | 'longnan' | 'dingnan' | 'lincang';

interface DemoInspection {
  readonly key: string;
  readonly planner: string;
  readonly enterprise: EnterpriseKey;
  readonly planned_on: string;
  readonly purpose: string;
  /** Rules of the enterprise's October 2026 anomalies the plan rests on. */
  readonly anomalies: readonly string[];
  readonly reasons: readonly string[];
  readonly inspectors: readonly string[];
  readonly visit?: { readonly visited_on: string; readonly findings: string; readonly evidence: readonly string[] };
  readonly violations: readonly DemoViolation[];
}

interface DemoViolation {
  readonly key: string;
  readonly type: string;
  readonly anomaly: string | null;
  readonly description: string;
  readonly decision?: {
    readonly body: Omit<DecisionCreateBody, 'idempotency_key'>;
    readonly follow_up?: readonly { readonly status: 'complied' | 'closed'; readonly note: string }[];
    readonly report_upward?: boolean;
  };
}

const inspections: readonly DemoInspection[] = [
  {
    key: 'nmg-kundulun',
    planner: 'baotou.iit',
    enterprise: 'kundulun',
    planned_on: '2026-11-12',
    purpose: '核查10月份流向申报迟报及巴彦矿业发运批次无对应入库记录的情况',
    anomalies: ['unmatched_shipment', 'declaration_late'],
    reasons: [],
    inspectors: ['baotou.iit', 'nmg.iit'],
    visit: {
      visited_on: '2026-11-13',
      findings:
        '企业10月份流向记录于11月10日后补报；巴彦矿业发运的BAYAN-202610-2批次（44,777千克）已实际入库，但未在系统中登记入库记录。',
      evidence: ['Inspection record: Baotou Kundulun separation plant', 'Visited 2026-11-13 by baotou.iit, nmg.iit'],
    },
    violations: [
      {
        key: 'late-declaration',
        type: 'flow_records_missing',
        anomaly: 'declaration_late',
        description: '2026年10月份产品流向未在次月10日前申报。',
        decision: {
          body: {
            kind: 'correction_order',
            document_no: '包工信责改〔2026〕7号',
            decided_on: '2026-11-14',
            final: false,
            correction_due_on: '2026-11-24',
          },
          report_upward: true,
        },
      },
      {
        key: 'unrecorded-receipt',
        type: 'false_records',
        anomaly: 'unmatched_shipment',
        description: 'BAYAN-202610-2批次原料已入库加工，流向记录中未登记入库，记录与实际不符。',
        decision: {
          body: {
            kind: 'fine',
            document_no: '包工信罚〔2026〕3号',
            decided_on: '2026-11-16',
            final: true,
            fine_yuan: 200_000,
          },
          report_upward: true,
        },
      },
    ],
  },
  {
    key: 'nmg-jiuyuan',
    planner: 'nmg.iit',
    enterprise: 'jiuyuan',
    planned_on: '2026-12-10',
    purpose: '年度“双随机”抽查：冶炼分离产能、流向记录与月度申报核对',
    anomalies: [],
    reasons: ['年度随机抽查名单（2026年第四季度）'],
    inspectors: ['nmg.iit', 'baotou.iit'],
    violations: [],
  },
  {
    key: 'jx-longnan',
    planner: 'ganzhou.nr',
    enterprise: 'longnan',
    planned_on: '2026-11-16',
    purpose: '核查离子型稀土开采量超出下达指标的情况',
    anomalies: ['quota_exceeded'],
    reasons: [],
    inspectors: ['ganzhou.nr', 'longnan.iit'],
    visit: {
      visited_on: '2026-11-17',
      findings: '2026年离子型稀土矿开采量194,859千克REO，超出下达指标150,000千克；超采部分已售予定南分离厂。',
      evidence: ['Inspection record: Ganzhou Longnan ion-adsorption mine', 'Output 194,859 kg REO; quota 150,000 kg'],
    },
    violations: [
      {
        key: 'over-quota',
        type: 'exceeding_indicators',
        anomaly: 'quota_exceeded',
        description: '2026年离子型稀土开采量超出下达的总量控制指标44,859千克REO。',
        decision: {
          body: {
            kind: 'suspension',
            document_no: '赣市自然资罚〔2026〕11号',
            decided_on: '2026-11-18',
            final: false,
            suspension_from: '2026-12-01',
            suspension_to: '2027-02-28',
          },
          report_upward: true,
        },
      },
    ],
  },
  {
    key: 'jx-longnan-follow-up',
    planner: 'longnan.iit',
    enterprise: 'longnan',
    planned_on: '2026-12-03',
    purpose: '复查停产整顿期间是否停止开采',
    anomalies: ['quota_exceeded'],
    reasons: ['赣市自然资罚〔2026〕11号 停产整顿决定的执行情况'],
    inspectors: ['longnan.iit'],
    violations: [],
  },
  {
    key: 'jx-dingnan',
    planner: 'ganzhou.nr',
    enterprise: 'dingnan',
    planned_on: '2026-11-18',
    purpose: '核查10月份流向未申报及龙南矿业来料收发数量不一致的情况',
    anomalies: ['declaration_missing', 'quantity_mismatch'],
    reasons: [],
    inspectors: ['ganzhou.nr'],
    visit: {
      visited_on: '2026-11-19',
      findings: '10月份流向未申报；LONGNAN-202610-1批次发运42,885千克、入库42,456千克，差额未记录原因。',
      evidence: ['Inspection record: Ganzhou Dingnan separation plant', 'Visited 2026-11-19 by ganzhou.nr'],
    },
    violations: [
      {
        key: 'missing-declaration',
        type: 'flow_records_missing',
        anomaly: 'declaration_missing',
        description: '2026年10月份产品流向未申报。',
        decision: {
          body: {
            kind: 'correction_order',
            document_no: '赣市自然资责改〔2026〕21号',
            decided_on: '2026-11-19',
            final: false,
            correction_due_on: '2026-11-30',
          },
          follow_up: [{ status: 'complied', note: '企业已于11月25日补报10月份流向，待复核后结案。' }],
        },
      },
      {
        key: 'mass-mismatch',
        type: 'false_records',
        anomaly: 'quantity_mismatch',
        description: '来料入库数量与发运数量相差429千克，记录中未载明损耗原因。',
        decision: {
          body: {
            kind: 'correction_order',
            document_no: '赣市自然资责改〔2026〕22号',
            decided_on: '2026-11-19',
            final: false,
            correction_due_on: '2026-11-26',
          },
          follow_up: [
            { status: 'complied', note: '企业补充了运输损耗说明及过磅单。' },
            { status: 'closed', note: '经复核，损耗说明与过磅单一致，整改到位，结案。' },
          ],
        },
      },
    ],
  },
  {
    key: 'yn-lincang',
    planner: 'miit',
    enterprise: 'lincang',
    planned_on: '2026-11-10',
    purpose: '核查未获定点的企业开采离子型稀土并对外销售的情况（第七条）',
    anomalies: ['non_designated_party', 'quota_exceeded'],
    reasons: [],
    inspectors: ['miit', 'miit.review'],
    visit: {
      visited_on: '2026-11-11',
      findings: '企业未获开采定点，10月份开采离子型稀土碳酸盐8,000千克并售予扶绥左江稀土；现场未能提供采矿许可。',
      evidence: [
        'Inspection record: Lincang Linxiang Nanting rare earth',
        'Undesignated mining, 8,000 kg carbonate sold',
      ],
    },
    violations: [
      {
        key: 'undesignated',
        type: 'undesignated_production',
        anomaly: 'non_designated_party',
        description: '未获开采定点从事稀土开采并对外销售产品。',
        decision: {
          body: {
            kind: 'referral',
            document_no: '工信原移〔2026〕2号',
            decided_on: '2026-11-12',
            final: false,
            referred_to: '临沧市公安局',
          },
        },
      },
    ],
  },
];

async function demoActor(db: Executor, login: string): Promise<{ actor: Actor; audit: AuditContext }> {
  const user = await findUserByLogin(db, login);
  if (!user) throw new Error(`demo supervision: no demo user ${login}`);
  const actor = actorFrom(user, 'session');
  return { actor, audit: { actor: { id: actor.userId, login: actor.login, role: actor.role }, requestId: 'demo' } };
}

/** Loads the demo inspections, evidence, violations and decisions (after the demo flows and reports). */
export async function loadDemoSupervision(db: Executor): Promise<DemoSupervisionSummary> {
  const now = DEMO_SUPERVISION_NOW;
  const enterpriseIds = new Map<string, string>();
  for (const { key, credit_code } of demoEnterprises) {
    const row = await db
      .selectFrom('enterprise')
      .select('id')
      .where('credit_code', '=', credit_code)
      .executeTakeFirst();
    if (row) enterpriseIds.set(key, row.id);
  }
  const summary: DemoSupervisionSummary = { inspections: 0, violations: 0, decisions: 0, evidence: 0 };
  for (const plan of inspections) {
    const enterpriseId = enterpriseIds.get(plan.enterprise);
    if (!enterpriseId) throw new Error(`demo supervision: no demo enterprise ${plan.enterprise}`);
    const anomalies = await db
      .selectFrom('anomaly')
      .select(['id', 'rule'])
      .where('enterprise_id', '=', enterpriseId)
      .where('period', '=', '2026-10-01')
      .execute();
    const anomalyOf = (rule: string) => {
      const found = anomalies.find((anomaly) => anomaly.rule === rule);
      if (!found) throw new Error(`demo supervision: ${plan.enterprise} has no October ${rule} anomaly`);
      return found.id;
    };
    const planner = await demoActor(db, plan.planner);
    const { inspection } = await planInspection(db, planner.actor, planner.audit, {
      enterprise_id: enterpriseId,
      planned_on: plan.planned_on,
      purpose: plan.purpose,
      anomaly_ids: plan.anomalies.map(anomalyOf),
      reasons: [...plan.reasons],
      inspectors: [...plan.inspectors],
      idempotency_key: `demo-inspection-${plan.key}`,
    });
    summary.inspections += 1;
    if (!plan.visit) continue;
    if (inspection.status === 'planned') {
      await recordVisit(
        db,
        planner.actor,
        planner.audit,
        inspection.id,
        {
          expected_version: inspection.version,
          visited_on: plan.visit.visited_on,
          findings: plan.visit.findings,
          outcome: 'violation_found',
        },
        now,
      );
    }
    await attachEvidence(db, planner.actor, planner.audit, inspection.id, {
      name: `现场检查笔录-${plan.key}.pdf`,
      declaredType: 'application/pdf',
      bytes: demoEvidencePdf(plan.visit.evidence),
    });
    summary.evidence += 1;
    for (const item of plan.violations) {
      const { violation } = await recordViolation(
        db,
        planner.actor,
        planner.audit,
        {
          enterprise_id: enterpriseId,
          inspection_id: inspection.id,
          ...(item.anomaly ? { anomaly_id: anomalyOf(item.anomaly) } : {}),
          type: item.type,
          description: item.description,
          found_on: plan.visit.visited_on,
          idempotency_key: `demo-violation-${plan.key}-${item.key}`,
        },
        now,
      );
      summary.violations += 1;
      if (!item.decision) continue;
      const { decision, replayed } = await decide(
        db,
        planner.actor,
        planner.audit,
        violation.id,
        { ...item.decision.body, idempotency_key: `demo-decision-${plan.key}-${item.key}` },
        now,
      );
      summary.decisions += 1;
      if (replayed) continue;
      let current = decision;
      for (const step of item.decision.follow_up ?? [])
        current = await moveDecision(
          db,
          planner.actor,
          planner.audit,
          current.id,
          { expected_version: current.version, status: step.status, note: step.note },
          now,
        );
      if (item.decision.report_upward)
        await reportUpward(db, planner.actor, planner.audit, current.id, current.version, now);
    }
  }
  return summary;
}
