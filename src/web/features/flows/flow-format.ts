/**
 * Display and entry of flow quantities: integer kg with thousands separators, grades as percent (exactly
 * 1 ppm = 0.0001 %), shares in ppm as percent, and times in Beijing time.
 */

/** 1234567 → "1,234,567". */
export function formatKg(kg: number): string {
  return Math.trunc(kg)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** 666667 ppm → "66.67%" (display only: the kg are the exact figures). */
export function formatShare(ppm: number): string {
  return `${(ppm / 10_000).toFixed(2)}%`;
}

/** 500000 ppm → "50"; 123456 → "12.3456". */
export function ppmToPercent(ppm: number): string {
  const whole = Math.floor(ppm / 10_000);
  const fraction = (ppm % 10_000).toString().padStart(4, '0').replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : `${whole}`;
}

/** "50" → 500000; "12.3456" → 123456; null if not a percent between 0 and 100 with at most 4 decimals. */
export function percentToPpm(text: string): number | null {
  const match = /^\s*(\d{1,3})(?:\.(\d{0,4}))?\s*$/.exec(text);
  if (!match) return null;
  const ppm = Number(`${match[1] ?? '0'}${(match[2] ?? '').padEnd(4, '0')}`);
  return ppm <= 1_000_000 ? ppm : null;
}

const chinaParts = (date: Date) =>
  Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: 'Asia/Shanghai',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(date)
      .map((part) => [part.type, part.value]),
  ) as Record<'year' | 'month' | 'day' | 'hour' | 'minute', string>;

/** The current month in China, YYYY-MM. */
export function monthInChina(date = new Date()): string {
  const parts = chinaParts(date);
  return `${parts.year}-${parts.month}`;
}

/** The month before YYYY-MM. */
export function previousMonth(period: string): string {
  const [year = 2000, month = 1] = period.split('-').map(Number);
  return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
}

/** Now in China as the value of a datetime-local input: YYYY-MM-DDTHH:mm. */
export function nowForInput(date = new Date()): string {
  const parts = chinaParts(date);
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

/** A datetime-local value read as Beijing time, as the API wants it: 2026-10-05T09:00:00+08:00. */
export function beijingTime(local: string): string {
  const withSeconds = /T\d{2}:\d{2}$/.test(local) ? `${local}:00` : local;
  return `${withSeconds}+08:00`;
}

/** An ISO time as YYYY-MM-DD HH:mm in Beijing time (records and deadlines are kept in it). */
export function formatBeijing(iso: string): string {
  const parts = chinaParts(new Date(iso));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

/** Days, hours, minutes and seconds from now until `iso` (zero once passed). */
export function timeLeft(iso: string, now: number): { days: number; hours: number; minutes: number; seconds: number } {
  const total = Math.max(0, Math.floor((new Date(iso).getTime() - now) / 1000));
  return {
    days: Math.floor(total / 86_400),
    hours: Math.floor((total % 86_400) / 3600),
    minutes: Math.floor((total % 3600) / 60),
    seconds: total % 60,
  };
}

/** A web-made event id: recognisable, and unique enough to be the idempotency key of one form. */
export function newEventId(date = new Date()): string {
  const parts = chinaParts(date);
  const random = Math.random().toString(36).slice(2, 8).toUpperCase();
  return `WEB-${parts.year}${parts.month}${parts.day}-${random}`;
}
