import type { AnnualReportView } from '../../../contracts/supervision-annual.ts';
import type { InspectionOutcome, SupervisingDepartment } from '../../db/schema-supervision.ts';
import type { Executor } from '../../db/executor.ts';
import { recordAudit, type AuditContext } from '../audit/index.ts';
import type { Actor } from '../auth/index.ts';
import { renderCsv } from '../reporting/exports.csv.ts';
import {
  beijingTime,
  categoryLabels,
  fileSafe,
  rowCount,
  UNIT_OF_MEASURE,
  type ExportColumn,
  type ExportDocument,
  type ExportFormat,
  type ExportRow,
  type ExportTable,
  type LabelledValue,
} from '../reporting/exports.model.ts';
import { renderPdf } from '../reporting/exports.pdf.ts';
import { contentTypes, type ExportFile, type ExportOptions } from '../reporting/exports.service.ts';
import { renderXlsx } from '../reporting/exports.xlsx.ts';
import { getAnnualReport } from './annual-report.service.ts';

/**
 * The provincial annual supervision report as XLSX, PDF and CSV in a Chinese official layout, through the
 * reporting module's document model and renderers: the title, 填报单位 and 报告期, the four sections
 * (一、监督检查情况 二、违法违规行为（按类型） 三、处理处罚决定 四、总量控制指标执行情况（分企业）), the notes and
 * the lines signed by hand. Every figure is the JSON view's, unchanged.
 */

type Content = AnnualReportView['content'];

const departmentLabels: Record<SupervisingDepartment, string> = {
  industry_it: '工业和信息化主管部门',
  natural_resources: '自然资源主管部门',
};
const outcomeLabels: Record<InspectionOutcome, string> = {
  no_violation: '未发现违法违规',
  violation_found: '发现违法违规',
  obstructed: '拒绝、阻碍检查',
};

/* Whole yuan are shown as whole kg are (numbers with thousands separators): the `kg` cell kind. */
const count = (header: string, width = 10): ExportColumn => ({ header, kind: 'integer', width });
const amount = (header: string, width = 14): ExportColumn => ({ header, kind: 'kg', width });
const text = (header: string, width: number): ExportColumn => ({ header, kind: 'text', width });

function inspectionTables(content: Content): ExportTable[] {
  const { inspections } = content;
  return [
    {
      caption: '一、监督检查情况',
      columns: [text('项目', 30), count('次数')],
      rows: [
        { cells: ['计划检查', inspections.planned] },
        { cells: ['实施检查', inspections.visited] },
        { cells: ['尚未实施（本年计划）', inspections.pending] },
        { cells: ['其中：未发现违法违规', inspections.outcomes.no_violation], indent: 1 },
        { cells: ['其中：发现违法违规', inspections.outcomes.violation_found], indent: 1 },
        { cells: ['其中：拒绝、阻碍检查', inspections.outcomes.obstructed], indent: 1 },
      ],
    },
    {
      caption: '（检查明细，按企业）',
      columns: [
        text('企业名称', 30),
        text('统一社会信用代码', 20),
        text('检查单位', 26),
        text('计划日期', 11),
        text('检查日期', 11),
        text('检查结果', 16),
      ],
      rows: inspections.items.map((item) => ({
        cells: [
          item.enterprise_name,
          item.credit_code,
          `${item.division_code} ${departmentLabels[item.department]}`,
          item.planned_on,
          item.visited_on ?? '',
          item.outcome ? outcomeLabels[item.outcome] : '尚未实施',
        ],
      })),
    },
  ];
}

function violationTable(content: Content): ExportTable {
  const { violations } = content;
  return {
    caption: '二、违法违规行为（按类型）',
    columns: [text('违法违规类型', 34), text('法律依据', 34), count('件数')],
    rows: [
      ...violations.by_type.map((row) => ({ cells: [row.label, row.legal_basis, row.count] })),
      { cells: ['合计', '', violations.total] },
    ],
  };
}

function decisionTables(content: Content): ExportTable[] {
  const { decisions } = content;
  const sum = (pick: (row: Content['decisions']['by_kind'][number]) => number) =>
    decisions.by_kind.reduce((total, row) => total + pick(row), 0);
  return [
    {
      caption: '三、处理处罚决定',
      columns: [
        text('决定类型', 16),
        count('件数', 8),
        count('执行中', 8),
        count('已履行', 8),
        count('已结案', 8),
        count('逾期未改正', 10),
        count('已撤销', 8),
        amount('罚款金额（元）'),
        count('终局处罚', 9),
      ],
      rows: [
        ...decisions.by_kind.map((row) => ({
          cells: [
            row.label,
            row.count,
            row.open,
            row.complied,
            row.closed,
            row.overdue,
            row.revoked,
            row.fine_yuan,
            row.final,
          ],
        })),
        {
          cells: [
            '合计',
            decisions.total,
            sum((row) => row.open),
            sum((row) => row.complied),
            sum((row) => row.closed),
            sum((row) => row.overdue),
            sum((row) => row.revoked),
            decisions.fines.total_yuan,
            sum((row) => row.final),
          ],
        },
      ],
    },
    {
      caption: '（终局行政处罚明细）',
      columns: [
        text('企业名称', 30),
        text('决定类型', 14),
        text('决定文号', 26),
        text('决定日期', 11),
        amount('罚款金额（元）'),
      ],
      rows: decisions.final_penalties.map((row) => ({
        cells: [
          row.enterprise_name,
          decisions.by_kind.find((kind) => kind.kind === row.kind)?.label ?? row.kind,
          row.document_no,
          row.decided_on,
          row.fine_yuan,
        ],
      })),
    },
  ];
}

function indicatorTable(content: Content): ExportTable {
  const rows: ExportRow[] = [];
  for (const enterprise of content.indicators.enterprises) {
    if (enterprise.lines.length === 0)
      rows.push({
        cells: [enterprise.enterprise_name, enterprise.credit_code, '（无指标）', null, null, null, null, null],
      });
    for (const line of enterprise.lines)
      rows.push({
        cells: [
          enterprise.enterprise_name,
          enterprise.credit_code,
          categoryLabels[line.category],
          line.allocated_reo_kg,
          line.produced_reo_kg,
          line.consumed_reo_kg,
          line.remaining_reo_kg,
          line.utilisation_ppm,
        ],
      });
  }
  for (const line of content.indicators.totals)
    rows.push({
      cells: [
        '合计',
        '',
        categoryLabels[line.category],
        line.allocated_reo_kg,
        line.produced_reo_kg,
        line.consumed_reo_kg,
        line.remaining_reo_kg,
        line.utilisation_ppm,
      ],
    });
  return {
    caption: '四、总量控制指标执行情况（分企业）',
    columns: [
      text('企业名称', 30),
      text('统一社会信用代码', 20),
      text('指标类别', 18),
      amount('下达指标'),
      amount('本年产量'),
      amount('台账消耗'),
      amount('剩余指标'),
      { header: '指标使用率', kind: 'percent', width: 11 },
    ],
    rows,
  };
}

function notesOf(view: AnnualReportView): LabelledValue[] {
  const submission = view.submission;
  const content = view.content;
  const notes: LabelledValue[] = [{ label: '报送', value: '工业和信息化部、自然资源部' }];
  if (!submission)
    notes.push({ label: '版本', value: `草稿（未报送），${beijingTime(content.generated_at)}（北京时间）据记录生成` });
  else {
    const parts = [`第${submission.version}版`];
    if (submission.replaces) parts.push(`更正前一版本 ${submission.replaces}`);
    if (submission.superseded_by) parts.push(`已被新版本 ${submission.superseded_by} 更正`);
    notes.push({ label: '版本', value: parts.join('；') });
    if (submission.comment) notes.push({ label: '说明', value: submission.comment });
    notes.push(
      { label: '报送人', value: `${submission.submitted_by}（${departmentLabels[submission.department]}）` },
      { label: '报送时间', value: `${beijingTime(submission.submitted_at)}（北京时间）` },
    );
  }
  notes.push(
    { label: '报送截止', value: `${beijingTime(view.deadline)}（北京时间）` },
    { label: '是否迟报', value: view.late ? '是（迟报）' : '否' },
    { label: '数据截至', value: content.as_of },
    {
      label: '统计口径',
      value:
        '住所在本省的企业；检查按计划日期或检查日期、违法违规行为按发现日期、决定按决定日期计入本年度；决定的执行情况截至数据截至日，' +
        '罚款金额不含已撤销的决定；' +
        '指标执行按企业年度指标（扣除核减）与流向记录产量计，台账消耗为配额台账记载的消耗量。',
    },
  );
  if (submission)
    notes.push(
      { label: '电子签名', value: `${submission.signature.algorithm}（国密SM2签名，SM3摘要）` },
      { label: '签名人', value: submission.signature.signer },
      { label: '内容摘要（SM3）', value: submission.signature.content_sm3 },
      { label: '签名值', value: submission.signature.signature },
    );
  return notes;
}

/** `2026-01-01` → 2026年1月1日. */
const chineseDate = (date: string): string =>
  `${date.slice(0, 4)}年${Number(date.slice(5, 7))}月${Number(date.slice(8, 10))}日`;

/** The annual report in the official layout: …年度稀土总量控制监督检查情况报告. */
export function annualReportDocument(view: AnnualReportView): ExportDocument {
  const content = view.content;
  const title = `${view.province_name}${view.year}年度稀土总量控制监督检查情况报告`;
  const version = view.submission ? `第${view.submission.version}版` : '草稿';
  return {
    title,
    sheetName: '监督检查年度报告',
    fileStem: fileSafe(`${title}_${version}`),
    asciiStem: `supervision-annual-${view.province_code}-${view.year}-${view.submission ? `v${view.submission.version}` : 'draft'}`,
    meta: [
      { label: '填报单位', value: `${view.province_name}工业和信息化、自然资源主管部门` },
      { label: '报告期', value: `${chineseDate(content.from)}至${chineseDate(content.to)}` },
      { label: '计量单位', value: `${UNIT_OF_MEASURE}、元` },
    ],
    tables: [
      ...inspectionTables(content),
      violationTable(content),
      ...decisionTables(content),
      indicatorTable(content),
    ],
    notes: notesOf(view),
    // Short enough that the four fit on one line of the PDF.
    signatureLines: ['工信部门负责人', '自然资源部门负责人', '填报人（联系电话）', '填报日期'],
  };
}

function render(document: ExportDocument, options: ExportOptions): Promise<Buffer> {
  switch (options.format) {
    case 'xlsx':
      return renderXlsx(document);
    case 'pdf':
      return renderPdf(document, options.font);
    case 'csv':
      return Promise.resolve(renderCsv(document));
  }
}

/** Exports a version (or the draft) the caller may read, audited as report exports are (`report.export`). */
export async function exportAnnualReport(
  db: Executor,
  actor: Actor,
  audit: AuditContext,
  target: { provinceCode: string; year: number; version: 'draft' | number | undefined; now: Date },
  options: ExportOptions & { format: ExportFormat },
): Promise<ExportFile> {
  const view = await getAnnualReport(db, actor, target.provinceCode, target.year, target.version, target.now);
  const document = annualReportDocument(view);
  // Rendered before anything is written: a file that cannot be made leaves no audit entry.
  const body = await render(document, options);
  const fileName = `${document.fileStem}.${options.format}`;
  if (options.audited)
    await db.transaction().execute((tx) =>
      recordAudit(tx, audit, {
        action: 'report.export',
        objectType: 'supervision_annual_report',
        objectId: view.submission?.id ?? `${view.province_code}:${view.year}:draft`,
        after: {
          format: options.format,
          rows: rowCount(document),
          bytes: body.length,
          file_name: fileName,
          province_code: view.province_code,
          year: view.year,
          version: view.submission?.version ?? 'draft',
        },
      }),
    );
  return {
    body,
    contentType: contentTypes[options.format],
    fileName,
    asciiFileName: `${document.asciiStem}.${options.format}`,
  };
}
