import type { DeclarationView } from '../../../contracts/flows.ts';

/**
 * Art. 10: an enterprise declares (seals) month M by the 10th of M+1, 23:59:59 Beijing time. These are the
 * pure rules of that calendar and of the states an enterprise-month can be in.
 */

export type DeclarationStatus = DeclarationView['status'];

/** The first instant of a month in Beijing (UTC+8, no daylight saving), for `YYYY-MM-01`. */
export function monthStart(period: string): Date {
  return new Date(`${period.slice(0, 7)}-01T00:00:00+08:00`);
}

export function nextPeriod(period: string): string {
  const year = Number(period.slice(0, 4));
  const monthIndex = Number(period.slice(5, 7));
  return monthIndex === 12 ? `${year + 1}-01-01` : `${year}-${String(monthIndex + 1).padStart(2, '0')}-01`;
}

/** The last instant a declaration of `period` is on time: the 10th of the next month, 23:59:59.999 Beijing. */
export function deadlineOf(period: string): Date {
  const next = nextPeriod(period);
  return new Date(new Date(`${next.slice(0, 7)}-10T23:59:59.999+08:00`).getTime());
}

/** Where an enterprise-month stands, given when it was first sealed (if ever). */
export function declarationStatus(period: string, firstSealedAt: Date | null, now: Date): DeclarationStatus {
  const deadline = deadlineOf(period);
  if (firstSealedAt) return firstSealedAt.getTime() <= deadline.getTime() ? 'sealed' : 'late';
  if (now.getTime() < monthStart(nextPeriod(period)).getTime()) return 'open';
  return now.getTime() <= deadline.getTime() ? 'due' : 'missing';
}

/** The months of a year up to the one `now` falls in (Beijing), as `YYYY-MM-01`. */
export function monthsOfYearUntil(year: number, now: Date): string[] {
  const current = new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 7);
  const months: string[] = [];
  for (let month = 1; month <= 12; month += 1) {
    const period = `${year}-${String(month).padStart(2, '0')}-01`;
    if (period.slice(0, 7) > current) break;
    months.push(period);
  }
  return months;
}
