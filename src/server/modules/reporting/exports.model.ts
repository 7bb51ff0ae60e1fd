import type { ReportLevel, ReportStatus, TotalLine } from '../../../contracts/reporting.ts';

/**
 * The one document model every export is rendered from (XLSX, PDF, CSV): a title, the header block of a Chinese
 * official table (填报单位, 报告期, 计量单位), tables of typed cells, notes, and the signature lines at the foot.
 * The renderers decide only how a cell looks; what it holds is decided once, here and in the builders.
 */

export const exportFormats = ['xlsx', 'pdf', 'csv'] as const;
export type ExportFormat = (typeof exportFormats)[number];

/** `kg`: whole kg REO; `percent`: a ratio in ppm (null when there is no denominator); `integer`: a count. */
export type ColumnKind = 'text' | 'kg' | 'percent' | 'integer';

export interface ExportColumn {
  readonly header: string;
  readonly kind: ColumnKind;
  /** Width in characters (a CJK character counts two): XLSX column width, PDF share of the page. */
  readonly width: number;
}

export type ExportCell = string | number | null;

export interface ExportRow {
  readonly cells: readonly ExportCell[];
  /** Indent of the first cell, in levels (the status board's tree). */
  readonly indent?: number;
}

export interface ExportTable {
  /** A caption above the table (一、二、…), or null for the only table. */
  readonly caption: string | null;
  readonly columns: readonly ExportColumn[];
  readonly rows: readonly ExportRow[];
}

export interface LabelledValue {
  readonly label: string;
  readonly value: string;
}

export interface ExportDocument {
  readonly title: string;
  /** The worksheet's name (at most 31 characters). */
  readonly sheetName: string;
  /** The file name without extension: in Chinese, and an ASCII fallback for old clients. */
  readonly fileStem: string;
  readonly asciiStem: string;
  /** 填报单位, 报告期, 计量单位 (and the like): one line under the title. */
  readonly meta: readonly LabelledValue[];
  readonly tables: readonly ExportTable[];
  /** Version, times, lateness, returns, the signature block. */
  readonly notes: readonly LabelledValue[];
  /** The labels of the lines signed by hand at the foot (单位负责人, 填表人, …). */
  readonly signatureLines: readonly string[];
}

/** What the audit entry counts: every data row of every table. */
export const rowCount = (document: ExportDocument): number =>
  document.tables.reduce((sum, table) => sum + table.rows.length, 0);

export const UNIT_OF_MEASURE = '千克（REO折合量）';

export const categoryLabels: Record<TotalLine['category'], string> = {
  mining_rock: '岩矿型稀土开采',
  mining_ion_adsorption: '离子型稀土开采',
  separation: '冶炼分离',
  separation_domestic: '冶炼分离（国内矿）',
  separation_imported: '冶炼分离（进口矿）',
  separation_monazite: '冶炼分离（独居石）',
};

export const statusLabels: Record<ReportStatus, string> = {
  not_due: '未到期',
  due: '待报送',
  late: '逾期',
  submitted: '已报送',
  returned: '已退回',
  compiled: '已汇总',
  forwarded: '已上报',
};

export const levelLabels: Record<ReportLevel, string> = {
  enterprise: '企业',
  county: '县级',
  prefecture: '地市级',
  province: '省级',
  nation: '全国',
};

const kgFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** Whole kg with thousands separators: 1,234,567. */
export const formatKg = (value: number): string => kgFormat.format(value);

/** A ppm ratio rounded to hundredths of a percent, as a fraction: what a `0.00%` cell holds. */
export const percentFraction = (ppm: number): number => Math.round(ppm / 100) / 10_000;

/** A ppm ratio as a percentage with two decimals: 123456 → 12.35%. */
export const formatPercent = (ppm: number | null): string =>
  ppm === null ? '' : `${(Math.round(ppm / 100) / 100).toFixed(2)}%`;

/** A cell as text, the way PDF and CSV show it (`grouped`: thousands separators). */
export function cellText(kind: ColumnKind, value: ExportCell, grouped: boolean): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (kind === 'percent') return formatPercent(value);
  if (kind === 'kg' && grouped) return formatKg(value);
  return String(value);
}

const beijing = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** An instant in Beijing time: `2026-11-08 10:00`. */
export function beijingTime(iso: string | Date): string {
  const parts = Object.fromEntries(beijing.formatToParts(new Date(iso)).map((part) => [part.type, part.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

/** `2026-10` → 2026年10月; `2026` → 2026年度. */
export function periodText(label: string): string {
  return label.length === 4 ? `${label}年度` : `${label.slice(0, 4)}年${Number(label.slice(5, 7))}月`;
}

/** A name safe in a file name on every system. */
export const fileSafe = (text: string): string => text.replace(/[\\/:*?"<>|\s]+/g, '_');

/** The columns of a line of figures, in the order of the official table. */
export const figureColumns: readonly ExportColumn[] = [
  { header: '本期产量', kind: 'kg', width: 14 },
  { header: '本年累计', kind: 'kg', width: 14 },
  { header: '下达指标', kind: 'kg', width: 14 },
  { header: '剩余指标', kind: 'kg', width: 14 },
  { header: '指标使用率', kind: 'percent', width: 11 },
  { header: '流向记录本期', kind: 'kg', width: 14 },
  { header: '流向记录累计', kind: 'kg', width: 14 },
];

/** A line's figures in the order of `figureColumns`. */
export function figureCells(line: Omit<TotalLine, 'category'>): ExportCell[] {
  return [
    line.production_reo_kg,
    line.cumulative_reo_kg,
    line.allocated_reo_kg,
    line.remaining_reo_kg,
    line.utilisation_ppm,
    line.flow_reo_kg,
    line.flow_cumulative_reo_kg,
  ];
}
