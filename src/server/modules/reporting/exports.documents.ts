import type { BoardNode, CompilationView, ReportView } from '../../../contracts/reporting.ts';
import {
  beijingTime,
  categoryLabels,
  figureCells,
  figureColumns,
  fileSafe,
  levelLabels,
  periodText,
  statusLabels,
  UNIT_OF_MEASURE,
  type ExportColumn,
  type ExportDocument,
  type ExportRow,
  type LabelledValue,
} from './exports.model.ts';

/**
 * The documents of the three exports, built from exactly the views the JSON API returns (so an export never
 * shows more, or other, figures than the caller may read): an enterprise's report, a division's compilation,
 * and the status board.
 */

const REPORT_TITLE = '稀土总量控制指标执行情况';
const kindWord = (periodKind: 'month' | 'year') => (periodKind === 'month' ? '月' : '年');
const categoryColumn: ExportColumn = { header: '指标类别', kind: 'text', width: 20 };

function signatureNotes(signature: ReportView['signature']): LabelledValue[] {
  return [
    { label: '电子签名', value: `${signature.algorithm}（国密SM2签名，SM3摘要）` },
    { label: '签名人', value: signature.signer },
    { label: '内容摘要（SM3）', value: signature.content_sm3 },
    { label: '签名值', value: signature.signature },
  ];
}

function returnedNote(returned: ReportView['returned']): LabelledValue[] {
  if (!returned) return [];
  return [
    {
      label: '退回修改',
      value: `${returned.reason}（退回人：${returned.returned_by}，${beijingTime(returned.returned_at)}）`,
    },
  ];
}

function versionNote(version: number, replaces: string | null, supersededBy: string | null): LabelledValue {
  const parts = [`第${version}版`];
  if (replaces) parts.push(`更正前一版本 ${replaces}`);
  if (supersededBy) parts.push(`已被新版本 ${supersededBy} 更正`);
  return { label: '版本', value: parts.join('；') };
}

/** An enterprise's implementation report: 稀土总量控制指标执行情况月报表 / 年报表. */
export function reportDocument(report: ReportView): ExportDocument {
  const title = `${REPORT_TITLE}${kindWord(report.period_kind)}报表`;
  return {
    title,
    sheetName: `${kindWord(report.period_kind)}报表`,
    fileStem: fileSafe(`${report.enterprise_name}_${title}_${report.period}_第${report.version}版`),
    asciiStem: `report-${report.period}-v${report.version}`,
    meta: [
      { label: '填报单位', value: report.enterprise_name },
      { label: '报告期', value: periodText(report.period) },
      { label: '计量单位', value: UNIT_OF_MEASURE },
    ],
    tables: [
      {
        caption: null,
        columns: [categoryColumn, ...figureColumns, { header: '说明', kind: 'text', width: 30 }],
        rows: report.lines.map((line) => ({
          cells: [categoryLabels[line.category], ...figureCells(line), line.explanation ?? ''],
        })),
      },
    ],
    notes: [
      versionNote(report.version, report.replaces, report.superseded_by),
      { label: '报送人', value: report.submitted_by },
      { label: '报送时间', value: `${beijingTime(report.submitted_at)}（北京时间）` },
      { label: '报送截止', value: `${beijingTime(report.deadline)}（北京时间）` },
      { label: '是否迟报', value: report.late ? '是（迟报）' : '否' },
      ...returnedNote(report.returned),
      ...signatureNotes(report.signature),
    ],
    signatureLines: ['单位负责人', '填表人', '联系电话', '填报日期'],
  };
}

function compilationChildRows(compilation: CompilationView): ExportRow[] {
  return compilation.children.flatMap((child) => {
    const head = [
      child.name,
      child.kind === 'report' ? '企业报表' : '下级汇总',
      `第${child.version}版`,
      child.late ? '迟报' : '按时',
    ];
    if (child.lines.length === 0) return [{ cells: [...head, '（无指标类别）', ...figureColumns.map(() => null)] }];
    return child.lines.map((line) => ({ cells: [...head, categoryLabels[line.category], ...figureCells(line)] }));
  });
}

function forwardNote(compilation: CompilationView): LabelledValue {
  if (!compilation.forwarded_at)
    return { label: '上报情况', value: compilation.level === 'nation' ? '全国汇总（最终级）' : '未上报' };
  const late = compilation.forwarded_late ? '，迟报' : '，按时';
  return { label: '上报情况', value: `已上报，${beijingTime(compilation.forwarded_at)}（北京时间）${late}` };
}

/** A division's compilation: …执行情况月报汇总表, with totals, children and the missing and late. */
export function compilationDocument(compilation: CompilationView): ExportDocument {
  const title = `${compilation.division_name}${REPORT_TITLE}${kindWord(compilation.period_kind)}报汇总表`;
  const code = compilation.division_code;
  return {
    title,
    sheetName: '汇总表',
    fileStem: fileSafe(`${title}_${compilation.period}_第${compilation.version}版`),
    asciiStem: `compilation-${code}-${compilation.period}-v${compilation.version}`,
    meta: [
      { label: '填报单位', value: `${compilation.division_name}（${levelLabels[compilation.level]}，${code}）` },
      { label: '报告期', value: periodText(compilation.period) },
      { label: '计量单位', value: UNIT_OF_MEASURE },
    ],
    tables: [
      {
        caption: '一、合计（按指标类别）',
        columns: [categoryColumn, ...figureColumns],
        rows: compilation.totals.map((line) => ({ cells: [categoryLabels[line.category], ...figureCells(line)] })),
      },
      {
        caption: '二、下级报送情况',
        columns: [
          { header: '报送单位', kind: 'text', width: 30 },
          { header: '类型', kind: 'text', width: 10 },
          { header: '版本', kind: 'text', width: 7 },
          { header: '是否迟报', kind: 'text', width: 9 },
          categoryColumn,
          ...figureColumns,
        ],
        rows: compilationChildRows(compilation),
      },
      {
        caption: '三、缺报/迟报及原因',
        columns: [
          { header: '单位', kind: 'text', width: 30 },
          { header: '类型', kind: 'text', width: 10 },
          { header: '情况', kind: 'text', width: 7 },
          { header: '原因', kind: 'text', width: 40 },
        ],
        rows: compilation.absent.map((child) => ({
          cells: [
            child.name,
            child.kind === 'enterprise' ? '企业' : '行政区',
            child.status === 'missing' ? '缺报' : '迟报',
            child.reason,
          ],
        })),
      },
    ],
    notes: [
      versionNote(compilation.version, compilation.replaces, compilation.superseded_by),
      { label: '汇总人', value: compilation.compiled_by },
      { label: '汇总时间', value: `${beijingTime(compilation.compiled_at)}（北京时间）` },
      { label: '报送截止', value: `${beijingTime(compilation.deadline)}（北京时间）` },
      forwardNote(compilation),
      ...returnedNote(compilation.returned),
      ...signatureNotes(compilation.signature),
    ],
    signatureLines: ['审核人', '填表人', '日期'],
  };
}

const statusOrder = Object.keys(statusLabels) as (keyof typeof statusLabels)[];

/** How the enterprises under a division stand: 已报送 3，逾期 1. */
function enterpriseSummary(node: BoardNode): string {
  if (node.kind === 'enterprise') return '';
  return statusOrder
    .filter((status) => (node.enterprises[status] ?? 0) > 0)
    .map((status) => `${statusLabels[status]} ${node.enterprises[status]}`)
    .join('，');
}

export type BoardRow = BoardNode & { depth: number };

/** The status board of a period under a division: every node, indented by depth. */
export function boardDocument(period: string, rows: readonly BoardRow[], now: Date): ExportDocument {
  const top = rows[0];
  const unit = top?.name ?? '';
  const title = `${REPORT_TITLE}报送进度表`;
  return {
    title,
    sheetName: '报送进度表',
    fileStem: fileSafe(`${unit}_${title}_${period}`),
    asciiStem: `board-${top?.code ?? 'all'}-${period}`,
    meta: [
      { label: '填报单位', value: unit },
      { label: '报告期', value: periodText(period) },
      { label: '统计时间', value: `${beijingTime(now)}（北京时间）` },
    ],
    tables: [
      {
        caption: null,
        columns: [
          { header: '单位名称', kind: 'text', width: 38 },
          { header: '层级', kind: 'text', width: 8 },
          { header: '区划代码', kind: 'text', width: 10 },
          { header: '状态', kind: 'text', width: 8 },
          { header: '是否迟报', kind: 'text', width: 9 },
          { header: '报送截止（北京时间）', kind: 'text', width: 18 },
          { header: '报送时间（北京时间）', kind: 'text', width: 18 },
          { header: '版本', kind: 'text', width: 7 },
          { header: '下属企业报送情况', kind: 'text', width: 30 },
        ],
        rows: rows.map((row) => ({
          indent: row.depth,
          cells: [
            row.name,
            levelLabels[row.level],
            row.code,
            statusLabels[row.status],
            row.late ? '是' : '否',
            beijingTime(row.deadline),
            row.submitted_at ? beijingTime(row.submitted_at) : '',
            row.version === null ? '' : `第${row.version}版`,
            enterpriseSummary(row),
          ],
        })),
      },
    ],
    notes: [{ label: '说明', value: '状态按统计时间判定；报送时间为企业报送或本级汇总的最新版本时间。' }],
    signatureLines: ['制表人', '审核人', '日期'],
  };
}
