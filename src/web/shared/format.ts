/**
 * Display of quantities. The API speaks integer kg (and ppm); people read tonnes. Everything here is
 * string arithmetic on integers, so a displayed or re-entered value is exactly the stored one.
 */

const KG_PER_TONNE = 1000;
const PPM_PER_UNIT = 1_000_000;

function groupThousands(whole: number): string {
  return whole.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** 60000000 kg → "60,000"; 1234567 kg → "1,234.567" (tonnes, never rounded). */
export function formatTonnes(kg: number): string {
  const whole = Math.floor(kg / KG_PER_TONNE);
  const remainder = kg % KG_PER_TONNE;
  const fraction = remainder === 0 ? '' : `.${remainder.toString().padStart(3, '0').replace(/0+$/, '')}`;
  return `${groupThousands(whole)}${fraction}`;
}

/** Integer kg as an editable tonnes string without separators: 1234567 → "1234.567". */
export function kgToTonnesInput(kg: number): string {
  return formatTonnes(kg).replaceAll(',', '');
}

/** Parses a decimal number of units with at most `decimals` places into an integer of the sub-unit. */
function parseScaled(text: string, decimals: number): number | null {
  const match = /^\s*(\d+)(?:\.(\d*))?\s*$/.exec(text);
  if (!match) return null;
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? '';
  if (fraction.length > decimals) return null;
  const value = Number(`${whole}${fraction.padEnd(decimals, '0')}`);
  return Number.isSafeInteger(value) ? value : null;
}

/** "1234.567" tonnes → 1234567 kg; null if not a number or finer than 1 kg. */
export function tonnesToKg(text: string): number | null {
  return parseScaled(text, 3);
}

/** 1166377 ppm → "1.166377" (REO kg per kg of product). */
export function formatFactor(ppm: number): string {
  const whole = Math.floor(ppm / PPM_PER_UNIT);
  return `${whole}.${(ppm % PPM_PER_UNIT).toString().padStart(6, '0')}`;
}

/** "1.166377" → 1166377 ppm; null if not a number or finer than 1 ppm. */
export function factorToPpm(text: string): number | null {
  return parseScaled(text, 6);
}

/** An ISO timestamp in the reader's locale, in China time (deadlines and records are kept in it). */
export function formatDateTime(iso: string, language: 'zh' | 'en'): string {
  return new Date(iso).toLocaleString(language === 'zh' ? 'zh-CN' : 'en-GB', {
    timeZone: 'Asia/Shanghai',
    hour12: false,
  });
}

/** Today's date in China as YYYY-MM-DD, for licence expiry and default dates. */
export function todayInChina(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
}

/** YYYY-MM-DD plus a number of days. */
export function addDays(isoDate: string, days: number): string {
  const date = new Date(`${isoDate}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}
