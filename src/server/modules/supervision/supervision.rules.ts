import { crc32 } from 'node:zlib';
import type { DecisionKind, DecisionStatus, SupervisingDepartment } from '../../db/schema-supervision.ts';
import { isWithinDivision } from '../auth/auth.rules.ts';

/**
 * The pure rules of supervision (Arts. 12–16): the violation types and the law each rests on, which decision
 * kinds are administrative penalties, the follow-up states, when a correction order is overdue, and what kind of
 * file an evidence upload really is (by its first bytes, whatever it was declared as).
 */

export interface LegalBasis {
  /** The articles, short: what a decision cites. */
  readonly citation: string;
  readonly zh: string;
  readonly en: string;
}

const MEASURES_ZH = '《稀土开采和冶炼分离总量控制管理暂行办法》';
const MEASURES_EN = 'Interim Measures for the Administration of Total Quantity Control';

/** Violation type → its legal basis. A type not in this table has no legal basis and cannot be recorded. */
export const violationTypes = {
  exceeding_indicators: {
    citation: 'Measures Arts. 8, 13',
    zh: `超出总量控制指标组织开采、冶炼分离：违反${MEASURES_ZH}第八条，依第十三条责令改正并依法处罚`,
    en: `Mining or separating beyond the total control indicators: ${MEASURES_EN}, Art. 8; ordered to correct and penalised under Art. 13`,
  },
  undesignated_production: {
    citation: 'Measures Art. 7; Rare Earth Management Regulations',
    zh: `未经确定为稀土生产企业从事稀土开采、冶炼分离：违反${MEASURES_ZH}第七条及《稀土管理条例》`,
    en: `Mining or separating rare earths without designation as a rare earth production enterprise: ${MEASURES_EN}, Art. 7, and the Rare Earth Management Regulations`,
  },
  flow_records_missing: {
    citation: 'Measures Art. 10',
    zh: `未建立稀土产品流向记录制度，或未在每月10日前录入上月流向信息：违反${MEASURES_ZH}第十条`,
    en: `Failing to keep product flow records, or to enter the previous month's flows by the 10th: ${MEASURES_EN}, Art. 10`,
  },
  false_records: {
    citation: 'Measures Art. 10',
    zh: `流向信息记录不真实、不准确：违反${MEASURES_ZH}第十条`,
    en: `Recording flow information that is false or inaccurate: ${MEASURES_EN}, Art. 10`,
  },
  obstructing_inspection: {
    citation: 'Measures Art. 13',
    zh: `拒绝、阻碍监督检查部门依法履行职责：依${MEASURES_ZH}第十三条责令改正并依法处罚`,
    en: `Refusing or obstructing the supervision and inspection department in its lawful duties: ${MEASURES_EN}, Art. 13`,
  },
  network_data_security: {
    citation: 'Measures Art. 11',
    zh: `未履行网络和数据安全保护义务：违反${MEASURES_ZH}第十一条`,
    en: `Failing the duties of network and data security protection: ${MEASURES_EN}, Art. 11`,
  },
} as const satisfies Record<string, LegalBasis>;
export type ViolationType = keyof typeof violationTypes;

export function isViolationType(type: string): type is ViolationType {
  return Object.hasOwn(violationTypes, type);
}

/** The legal basis of a type, or undefined when the type is unknown. */
export function legalBasisOf(type: string): LegalBasis | undefined {
  return isViolationType(type) ? violationTypes[type] : undefined;
}

/** The legal basis of each decision kind, beyond the violation's own (Art. 16 for a referral). */
export const decisionBasis: Record<DecisionKind, string> = {
  correction_order: 'Measures Art. 13',
  fine: 'Measures Art. 13',
  suspension: 'Measures Art. 13',
  referral: 'Measures Art. 16',
};

/** Fines and suspensions are administrative penalties (Art. 14 counts them when final); the others are not. */
export function isPenalty(kind: DecisionKind): boolean {
  return kind === 'fine' || kind === 'suspension';
}

/** The follow-up of a decision: complied (with a note of how), closed; a complied one may be reopened. */
export const decisionMoves: Record<DecisionStatus, readonly DecisionStatus[]> = {
  open: ['complied', 'closed'],
  complied: ['closed', 'open'],
  closed: [],
};

/** A correction order not complied with by its deadline (a date in Beijing) is overdue the day after. */
export function isOverdue(
  decision: { kind: DecisionKind; status: DecisionStatus; correction_due_on: string | null },
  today: string,
): boolean {
  return (
    decision.kind === 'correction_order' &&
    decision.status === 'open' &&
    decision.correction_due_on !== null &&
    decision.correction_due_on < today
  );
}

/**
 * Why a decision's finality cannot be recorded as asked, or null. Only a penalty (fine, suspension) becomes final;
 * a final or revoked decision is settled already; any other may be revoked on appeal, closed ones included (a fine
 * paid and closed may still be set aside by a court). `field` says whether the request was wrong (outcome) or the decision's state forbids it.
 */
export function finalityProblem(
  decision: { kind: DecisionKind; status: DecisionStatus; final: boolean; revoked_on: string | null },
  outcome: 'final' | 'revoked',
): { field: 'outcome' | 'state'; message: string } | null {
  if (decision.revoked_on !== null)
    return { field: 'state', message: `The decision was revoked on ${decision.revoked_on}.` };
  if (decision.final) return { field: 'state', message: 'The decision is final already.' };
  if (outcome === 'final' && !isPenalty(decision.kind))
    return {
      field: 'outcome',
      message: `a ${decision.kind.replace('_', ' ')} is not an administrative penalty: only fines and suspensions become final`,
    };
  return null;
}

export interface DecisionFields {
  readonly kind: DecisionKind;
  readonly final: boolean;
  readonly decided_on: string;
  readonly correction_due_on?: string | undefined;
  readonly fine_yuan?: number | undefined;
  readonly suspension_from?: string | undefined;
  readonly suspension_to?: string | undefined;
  readonly referred_to?: string | undefined;
}

/** What is wrong with a decision's fields for its kind: one message per field, empty when it is whole. */
export function decisionProblems(body: DecisionFields): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  const need = (field: keyof DecisionFields, what: string) => {
    if (body[field] === undefined) problems.push({ field, message: `is required for ${what}` });
  };
  const refuse = (field: keyof DecisionFields, what: string) => {
    if (body[field] !== undefined) problems.push({ field, message: `does not belong to ${what}` });
  };
  const others: Record<DecisionKind, (keyof DecisionFields)[]> = {
    correction_order: ['correction_due_on'],
    fine: ['fine_yuan'],
    suspension: ['suspension_from', 'suspension_to'],
    referral: ['referred_to'],
  };
  const what = {
    correction_order: 'a correction order (the deadline to correct by)',
    fine: 'a fine (the amount in yuan, as decided)',
    suspension: 'a suspension of production (from and to)',
    referral: 'a referral (the public security organ it goes to)',
  }[body.kind];
  for (const field of others[body.kind]) need(field, what);
  for (const [kind, fields] of Object.entries(others) as [DecisionKind, (keyof DecisionFields)[]][])
    if (kind !== body.kind) for (const field of fields) refuse(field, `a ${body.kind.replace('_', ' ')}`);
  if (body.correction_due_on !== undefined && body.correction_due_on < body.decided_on)
    problems.push({ field: 'correction_due_on', message: `is before the decision date ${body.decided_on}` });
  if (body.suspension_from && body.suspension_to && body.suspension_to < body.suspension_from)
    problems.push({ field: 'suspension_to', message: `is before suspension_from ${body.suspension_from}` });
  if (body.final && !isPenalty(body.kind))
    problems.push({
      field: 'final',
      message: `a ${body.kind.replace('_', ' ')} is not an administrative penalty: only fines and suspensions are final penalties`,
    });
  return problems;
}

/** Evidence files: what may be attached, and the most one file may weigh. */
export const MAX_EVIDENCE_BYTES = 10 * 1024 * 1024;
export const MAX_EVIDENCE_FILES = 100;
export const evidenceTypes = {
  pdf: 'application/pdf',
  jpeg: 'image/jpeg',
  png: 'image/png',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
} as const;
export type EvidenceType = (typeof evidenceTypes)[keyof typeof evidenceTypes];
/** Declared types an upload may come with: the accepted ones, or "I do not know" (the bytes decide). */
export const declarableEvidenceTypes: readonly string[] = [...Object.values(evidenceTypes), 'application/octet-stream'];

const startsWith = (bytes: Uint8Array, prefix: readonly number[]) =>
  bytes.length >= prefix.length && prefix.every((byte, index) => bytes[index] === byte);

/** A PDF: the `%PDF-n.n` header, and the `%%EOF` marker in the last kilobyte (after which only whitespace). */
function isPdf(bytes: Uint8Array): boolean {
  if (!/^%PDF-\d\.\d/.test(Buffer.from(bytes.subarray(0, 8)).toString('latin1'))) return false;
  const tail = Buffer.from(bytes.subarray(Math.max(0, bytes.length - 1024))).toString('latin1');
  const end = tail.lastIndexOf('%%EOF');
  return end >= 0 && tail.slice(end + 5).trim() === '';
}

/** A JPEG: start of image, a marker segment after it, and end of image as the last bytes. */
function isJpeg(bytes: Uint8Array): boolean {
  if (!startsWith(bytes, [0xff, 0xd8, 0xff]) || bytes.length < 6) return false;
  const marker = bytes[3]!;
  const segment =
    (marker >= 0xe0 && marker <= 0xef) || marker === 0xdb || marker === 0xfe || (marker >= 0xc0 && marker <= 0xcf);
  return segment && bytes[bytes.length - 2] === 0xff && bytes[bytes.length - 1] === 0xd9;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** A PNG: the signature, then chunks whose lengths add up to the file and whose CRCs hold, IHDR first, IEND last. */
function isPng(bytes: Uint8Array): boolean {
  if (!startsWith(bytes, PNG_SIGNATURE)) return false;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = PNG_SIGNATURE.length;
  let first = true;
  while (at + 12 <= buffer.length) {
    const length = buffer.readUInt32BE(at);
    const type = buffer.toString('latin1', at + 4, at + 8);
    const end = at + 12 + length;
    if (end > buffer.length) return false;
    if (first && (type !== 'IHDR' || length !== 13)) return false;
    if (crc32(buffer.subarray(at + 4, at + 8 + length)) >>> 0 !== buffer.readUInt32BE(at + 8 + length)) return false;
    if (type === 'IEND') return end === buffer.length;
    first = false;
    at = end;
  }
  return false;
}

/**
 * The type of a file by its structure, for the types that need no unpacking: PDF, JPEG and PNG. A ZIP
 * (`PK\x03\x04`) is `zip`: whether it is an XLSX or a DOCX is decided by its central directory and its content
 * types (evidence.types.ts). Anything else: null.
 */
export function sniffEvidenceType(bytes: Uint8Array): EvidenceType | 'zip' | null {
  if (isPdf(bytes)) return evidenceTypes.pdf;
  if (isJpeg(bytes)) return evidenceTypes.jpeg;
  if (isPng(bytes)) return evidenceTypes.png;
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) return 'zip';
  return null;
}

/** The division a division reports to: county → prefecture, prefecture → province, province → the nation. */
export const NATION = '000000';

/** A unit that supervises: a division (the nation, 000000, for MIIT and MNR) and its department. */
export interface SupervisionUnit {
  readonly division_code: string;
  readonly department: SupervisingDepartment;
}

/** Whose a record or a setting is: a division and department, or either department of a division (null). */
export interface WriteOwner {
  readonly division_code: string;
  readonly department: SupervisingDepartment | null;
}

/**
 * How far a write reaches beyond its owner (docs/supervision.md, "Writes belong to the deciding authority"):
 * - `owner`: the owning unit itself — its division and its department, nobody above or below, not the other
 *   department (a decision's follow-up, its finality, its report upward; a province's annual report);
 * - `line`: the owning department at the owning division or above it, up to its ministry (MIIT for industry & IT,
 *   MNR for natural resources): an inspection's visit, evidence and reassignment, a decision on a recorded violation,
 *   and (with either department) a division's risk weights.
 */
export type WriteReach = 'owner' | 'line';

/** The division's code is the owner's or one above it; the nation is above every division. */
function atOrAbove(actorDivision: string, ownerDivision: string): boolean {
  if (actorDivision === ownerDivision || actorDivision === NATION) return true;
  return ownerDivision !== NATION && isWithinDivision(actorDivision, ownerDivision);
}

/**
 * Whether a supervising unit may write on what `owner` holds. Reading is wider (every official whose jurisdiction
 * covers the enterprise): whoever may read but not write is refused (403), not shown the record's absence.
 */
export function mayWrite(actor: SupervisionUnit, owner: WriteOwner, reach: WriteReach): boolean {
  if (owner.department !== null && actor.department !== owner.department) return false;
  return reach === 'owner'
    ? actor.division_code === owner.division_code
    : atOrAbove(actor.division_code, owner.division_code);
}

/** Who may write, in words, for the refusal. */
export function writerDescription(owner: WriteOwner, reach: WriteReach): string {
  const names: Record<SupervisingDepartment, string> = {
    industry_it: 'industry & IT',
    natural_resources: 'natural resources',
  };
  const department =
    owner.department === null
      ? 'its industry & IT or natural resources department'
      : `its ${names[owner.department]} department`;
  const division = owner.division_code === NATION ? 'the nation' : owner.division_code;
  return reach === 'owner'
    ? `${division}, ${department}, alone`
    : `${division}, ${department}, or the same department above it`;
}
