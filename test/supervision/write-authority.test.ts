import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SupervisingDepartment } from '../../src/server/db/schema-supervision.ts';
import {
  mayWrite,
  NATION,
  writerDescription,
  type SupervisionUnit,
  type WriteOwner,
} from '../../src/server/modules/supervision/supervision.rules.ts';

/** The rule every supervision write goes through (docs/supervision.md, "Writes belong to the deciding authority"). */

const unit = (division_code: string, department: SupervisingDepartment): SupervisionUnit => ({
  division_code,
  department,
});
const ganzhouIit = unit('360700', 'industry_it');
const longnanIit = unit('360783', 'industry_it');
const ganzhouNr = unit('360700', 'natural_resources');
const jiangxiIit = unit('360000', 'industry_it');
const miit = unit(NATION, 'industry_it');
const mnr = unit(NATION, 'natural_resources');
const baotouIit = unit('150200', 'industry_it');

describe('mayWrite', () => {
  it('gives a decision of a prefecture to that prefecture and department alone', () => {
    const decision: WriteOwner = ganzhouIit;
    expect(mayWrite(ganzhouIit, decision, 'owner')).toBe(true);
    expect(mayWrite(longnanIit, decision, 'owner'), 'the county below').toBe(false);
    expect(mayWrite(ganzhouNr, decision, 'owner'), 'the other department').toBe(false);
    expect(mayWrite(jiangxiIit, decision, 'owner'), 'the province above').toBe(false);
    expect(mayWrite(miit, decision, 'owner'), 'the ministry').toBe(false);
    expect(mayWrite(baotouIit, decision, 'owner'), 'another prefecture').toBe(false);
  });

  it("gives an inspection of a prefecture to its department there and above, up to that department's ministry", () => {
    const inspection: WriteOwner = ganzhouIit;
    expect(mayWrite(ganzhouIit, inspection, 'line')).toBe(true);
    expect(mayWrite(jiangxiIit, inspection, 'line')).toBe(true);
    expect(mayWrite(miit, inspection, 'line')).toBe(true);
    expect(mayWrite(longnanIit, inspection, 'line'), 'the county below').toBe(false);
    expect(mayWrite(ganzhouNr, inspection, 'line'), 'the other department').toBe(false);
    expect(mayWrite(mnr, inspection, 'line'), "the other department's ministry").toBe(false);
    expect(mayWrite(baotouIit, inspection, 'line'), 'another prefecture').toBe(false);
  });

  it("gives a division's own settings to either department there (and above, for a line)", () => {
    const province: WriteOwner = { division_code: '360000', department: null };
    expect(mayWrite(jiangxiIit, province, 'owner')).toBe(true);
    expect(mayWrite(unit('360000', 'natural_resources'), province, 'owner')).toBe(true);
    expect(mayWrite(miit, province, 'owner'), 'the ministries receive the annual report').toBe(false);
    expect(mayWrite(ganzhouIit, province, 'owner')).toBe(false);
    expect(mayWrite(mnr, province, 'line')).toBe(true);
    expect(mayWrite(ganzhouIit, province, 'line')).toBe(false);
    const nation: WriteOwner = { division_code: NATION, department: null };
    expect(mayWrite(miit, nation, 'line')).toBe(true);
    expect(mayWrite(jiangxiIit, nation, 'line')).toBe(false);
  });

  const department = fc.constantFrom<SupervisingDepartment>('industry_it', 'natural_resources');
  const province = fc.integer({ min: 11, max: 65 }).map(String);
  const two = fc.integer({ min: 1, max: 99 }).map((value) => String(value).padStart(2, '0'));
  /** A division at any level: the nation, a province, a prefecture or a county. */
  const division = fc.oneof(
    fc.constant(NATION),
    province.map((pp) => `${pp}0000`),
    fc.tuple(province, two).map(([pp, cc]) => `${pp}${cc}00`),
    fc.tuple(province, two, two).map(([pp, cc, dd]) => `${pp}${cc}${dd}`),
  );
  const units = fc.record({ division_code: division, department });
  const owners = fc.record({ division_code: division, department: fc.option(department, { nil: null }) });
  const reach = fc.constantFrom('owner' as const, 'line' as const);

  it('never lets the other department write on what one department holds', () => {
    fc.assert(
      fc.property(units, units, reach, (actor, owner, how) => {
        if (actor.department !== owner.department) expect(mayWrite(actor, owner, how)).toBe(false);
      }),
    );
  });

  it('lets the owner write its own, and only the owner when the write is its own alone', () => {
    fc.assert(
      fc.property(units, owners, (actor, owner) => {
        const itself = { division_code: owner.division_code, department: owner.department ?? actor.department };
        expect(mayWrite(itself, owner, 'owner')).toBe(true);
        expect(mayWrite(itself, owner, 'line')).toBe(true);
        if (mayWrite(actor, owner, 'owner')) expect(actor.division_code).toBe(owner.division_code);
      }),
    );
  });

  it('never reaches down: a unit strictly below the owner may not write, however far the reach', () => {
    fc.assert(
      fc.property(owners, department, two, two, (owner, own, cc, dd) => {
        const code = owner.division_code;
        const below =
          code === NATION
            ? `11${cc}00`
            : code.endsWith('0000')
              ? `${code.slice(0, 2)}${cc}00`
              : code.endsWith('00')
                ? `${code.slice(0, 4)}${dd}`
                : null;
        if (below === null) return;
        const actor = unit(below, owner.department ?? own);
        expect(mayWrite(actor, owner, 'owner')).toBe(false);
        expect(mayWrite(actor, owner, 'line')).toBe(false);
      }),
    );
  });

  it('a wider reach only ever allows more, and the ministry of the department reaches every line', () => {
    fc.assert(
      fc.property(units, owners, (actor, owner) => {
        if (mayWrite(actor, owner, 'owner')) expect(mayWrite(actor, owner, 'line')).toBe(true);
        const ministry = unit(NATION, owner.department ?? actor.department);
        expect(mayWrite(ministry, owner, 'line')).toBe(true);
      }),
    );
  });

  it('names who may write in the refusal', () => {
    expect(writerDescription(ganzhouIit, 'owner')).toBe('360700, its industry & IT department, alone');
    expect(writerDescription({ division_code: '360000', department: null }, 'line')).toContain(
      'industry & IT or natural resources',
    );
  });
});
