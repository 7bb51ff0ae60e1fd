import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decisionMoves,
  decisionProblems,
  isOverdue,
  legalBasisOf,
  sniffEvidenceType,
  violationTypes,
  type DecisionFields,
} from '../../src/server/modules/supervision/supervision.rules.ts';
import type { DecisionKind } from '../../src/server/db/schema-supervision.ts';
import { evidenceTypeOf } from '../../src/server/modules/supervision/evidence.types.ts';
import { zipOf } from '../support/zip-writer.ts';
import { docxBytes, jpegBytes, pdfBytes, pngBytes, xlsxBytes, zipBytes } from './supervision-world.ts';

/** The pure rules of supervision: legal bases, decision fields, follow-up, overdue, and content sniffing. */

const kinds: readonly DecisionKind[] = ['correction_order', 'fine', 'suspension', 'referral'];
const date = fc
  .date({ min: new Date('2026-01-01T00:00:00Z'), max: new Date('2028-12-31T00:00:00Z'), noInvalidDate: true })
  .map((value) => value.toISOString().slice(0, 10));

/** A decision whose fields fit its kind. */
const wholeDecision = fc
  .record({ kind: fc.constantFrom(...kinds), decided_on: date, days: fc.nat(400) })
  .map(({ kind, decided_on, days }): DecisionFields => {
    const later = new Date(Date.parse(`${decided_on}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
    const fields: Record<DecisionKind, Partial<DecisionFields>> = {
      correction_order: { correction_due_on: later },
      fine: { fine_yuan: days + 1 },
      suspension: { suspension_from: decided_on, suspension_to: later },
      referral: { referred_to: '公安机关' },
    };
    return { kind, decided_on, final: kind === 'fine' || kind === 'suspension', ...fields[kind] };
  });

describe('supervision rules', () => {
  it('gives every violation type a legal basis in Chinese and English, and none to an unknown type', () => {
    for (const [type, basis] of Object.entries(violationTypes)) {
      expect(legalBasisOf(type)).toBe(basis);
      expect(basis.zh).toMatch(/第.+条|条例/);
      expect(basis.en).toMatch(/Art\.|Regulations/);
    }
    expect(legalBasisOf('toString')).toBeUndefined();
    expect(legalBasisOf('being_late_for_lunch')).toBeUndefined();
  });

  it('finds nothing wrong with a decision whose fields fit its kind (property)', () => {
    fc.assert(
      fc.property(wholeDecision, (decision) => {
        expect(decisionProblems(decision)).toEqual([]);
      }),
    );
  });

  it('names the one missing field of each kind (property)', () => {
    const needed: Record<DecisionKind, keyof DecisionFields> = {
      correction_order: 'correction_due_on',
      fine: 'fine_yuan',
      suspension: 'suspension_to',
      referral: 'referred_to',
    };
    fc.assert(
      fc.property(wholeDecision, (decision) => {
        const field = needed[decision.kind];
        const { [field]: _dropped, ...rest } = decision;
        expect(decisionProblems(rest as DecisionFields).map((problem) => problem.field)).toEqual([field]);
      }),
    );
  });

  it('never lets a correction order or a referral be a final penalty', () => {
    for (const kind of ['correction_order', 'referral'] as const) {
      const fields = kind === 'referral' ? { referred_to: '公安机关' } : { correction_due_on: '2026-12-31' };
      const problems = decisionProblems({ kind, decided_on: '2026-12-01', final: true, ...fields });
      expect(problems.map((problem) => problem.field)).toEqual(['final']);
    }
  });

  it('follows decisions up to closed, never out of it', () => {
    expect(decisionMoves.closed).toEqual([]);
    expect(decisionMoves.open).toContain('complied');
    expect(decisionMoves.complied).toContain('closed');
  });

  it('calls only an open correction order past its deadline overdue (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...kinds),
        fc.constantFrom('open', 'complied', 'closed'),
        date,
        date,
        (kind, status, due, today) => {
          const overdue = isOverdue({ kind, status, correction_due_on: due }, today);
          expect(overdue).toBe(kind === 'correction_order' && status === 'open' && due < today);
        },
      ),
    );
  });

  it('types files by their structure', async () => {
    expect(await evidenceTypeOf(pdfBytes())).toBe('application/pdf');
    expect(await evidenceTypeOf(jpegBytes())).toBe('image/jpeg');
    expect(await evidenceTypeOf(pngBytes())).toBe('image/png');
    expect(await evidenceTypeOf(xlsxBytes())).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(await evidenceTypeOf(docxBytes())).toBe(
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    );
    expect(await evidenceTypeOf(zipBytes(['[Content_Types].xml', 'ppt/presentation.xml']))).toBeNull();
    expect(await evidenceTypeOf(Buffer.from('GIF89a'))).toBeNull();
    expect(await evidenceTypeOf(Buffer.alloc(0))).toBeNull();
  });

  it('checks the structure, not the first bytes or strings inside', async () => {
    const pdf = pdfBytes();
    const png = pngBytes();
    // A PDF cut short, a PNG with a broken chunk, a JPEG without its end, ZIP signatures with part names.
    expect(await evidenceTypeOf(pdf.subarray(0, pdf.length - 10))).toBeNull();
    const broken = Buffer.from(png);
    broken[20] = broken[20]! ^ 0xff;
    expect(await evidenceTypeOf(broken)).toBeNull();
    expect(await evidenceTypeOf(jpegBytes().subarray(0, 12))).toBeNull();
    expect(
      await evidenceTypeOf(
        Buffer.from('PK\u0003\u0004[Content_Types].xml xl/workbook.xml word/document.xml', 'latin1'),
      ),
    ).toBeNull();
    // A real ZIP whose content types do not give the workbook its type (a macro-enabled workbook, say).
    const xlsm = zipOf([
      {
        name: '[Content_Types].xml',
        data: '<Types><Override PartName="/xl/workbook.xml" ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"/></Types>',
      },
      { name: 'xl/workbook.xml', data: '<workbook/>' },
    ]);
    expect(await evidenceTypeOf(xlsm)).toBeNull();
  });

  it('refuses bytes that start with no accepted signature (property)', () => {
    const signatures = [
      [0x25, 0x50, 0x44, 0x46],
      [0xff, 0xd8, 0xff],
      [0x89, 0x50, 0x4e, 0x47],
      [0x50, 0x4b, 0x03, 0x04],
    ];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
        fc.pre(!signatures.some((signature) => signature.every((byte, index) => bytes[index] === byte)));
        expect(sniffEvidenceType(bytes)).toBeNull();
      }),
    );
  });
});
