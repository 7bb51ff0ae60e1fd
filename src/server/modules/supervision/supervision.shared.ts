import type { Actor } from '../auth/index.ts';
import type { SupervisingDepartment } from '../../db/schema-supervision.ts';
import { forbidden } from '../../shared/errors.ts';
import { mayWrite, NATION, writerDescription, type WriteOwner, type WriteReach } from './supervision.rules.ts';

/** Who acts for supervision: the caller's division (the nation for a ministry) and department. */
export interface ActingUnit {
  readonly division_code: string;
  readonly department: SupervisingDepartment;
}

/** The department an official supervises for; only industry & IT and natural resources do (Art. 12). */
export function actingUnit(actor: Actor): ActingUnit {
  const department = actor.department;
  if (
    (actor.role !== 'ministry_official' && actor.role !== 'department_official') ||
    (department !== 'industry_it' && department !== 'natural_resources')
  )
    throw forbidden('Only the industry & IT and natural resources departments supervise and inspect (Art. 12).');
  return { division_code: actor.divisionCode ?? NATION, department };
}

/**
 * The acting unit of a write on what `owner` holds, or 403 when the rule of supervision.rules.ts (`mayWrite`) gives
 * it to another unit. Call after the record was found in the caller's scope (outside it: 404).
 */
export function assertWriter(actor: Actor, owner: WriteOwner, reach: WriteReach, what: string): ActingUnit {
  const unit = actingUnit(actor);
  if (!mayWrite(unit, owner, reach)) throw forbidden(`${what} belongs to ${writerDescription(owner, reach)}.`);
  return unit;
}

export const iso = (value: Date | null): string | null => (value ? value.toISOString() : null);
export const transitionView = (row: {
  from_status: string;
  to_status: string;
  note: string;
  moved_by: string;
  moved_at: Date;
}) => ({ ...row, moved_at: row.moved_at.toISOString() });
