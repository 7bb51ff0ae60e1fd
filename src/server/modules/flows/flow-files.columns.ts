/**
 * The columns of a flow file (CSV or XLSX, docs/flows-files.md): one source for the parser, the templates and
 * the explanation sheet. Headers are Chinese; the English field names are accepted as aliases.
 */

export type ColumnKey =
  | 'event_id'
  | 'kind'
  | 'event_time'
  | 'direction'
  | 'batch'
  | 'batch_maker'
  | 'product'
  | 'mass_kg'
  | 'grade_ppm'
  | 'reo_kg'
  | 'counterparty'
  | 'counterparty_name'
  | 'country'
  | 'invoice_no'
  | 'waybill_no'
  | 'customs_declaration_no'
  | 'amends'
  | 'reason'
  | 'edges';

/** How a cell is read: see `readCell` in flow-files.rules.ts. */
export type CellType = 'text' | 'integer' | 'time' | 'kind' | 'direction' | 'list' | 'edges';

export interface FlowFileColumn {
  readonly key: ColumnKey;
  /** The header as the templates write it. */
  readonly header: string;
  readonly type: CellType;
  /** A file without this column is refused. */
  readonly required: boolean;
  /** 填写说明: what goes in the column, for the template's second sheet and the docs. */
  readonly note: string;
}

export const flowFileColumns: readonly FlowFileColumn[] = [
  {
    key: 'event_id',
    header: '事件编号',
    type: 'text',
    required: true,
    note: '企业自编的唯一编号（最多128字符）。同一编号再次提交且内容相同则不重复记录。加工转化的投入与产出各占一行，连续几行使用同一事件编号。',
  },
  {
    key: 'kind',
    header: '类型',
    type: 'kind',
    required: true,
    note: '生产、加工转化、发货、收货、进口、出口、盘点、损耗之一（也可填 produce、transform、ship、receive、import、export、stock_count、loss）。',
  },
  {
    key: 'event_time',
    header: '事件时间',
    type: 'time',
    required: true,
    note: '带时区的ISO时间，如 2026-03-05T08:30:00+08:00；也可填 2026-03-05 08:30（按北京时间）。Excel 日期单元格按北京时间理解。',
  },
  {
    key: 'direction',
    header: '方向',
    type: 'direction',
    required: false,
    note: '仅加工转化行填写：投入（消耗的批次）或产出（产出的批次）。',
  },
  {
    key: 'batch',
    header: '批次号',
    type: 'text',
    required: true,
    note: '批次号，1–64位字母、数字或 . _ - /，以字母或数字开头。',
  },
  {
    key: 'batch_maker',
    header: '批次生产企业',
    type: 'text',
    required: false,
    note: '生产该批次的企业的统一社会信用代码；批次为本企业生产时不填。',
  },
  {
    key: 'product',
    header: '产品代码',
    type: 'text',
    required: true,
    note: '产品目录中的代码，如 BASTNAESITE_CONC（氟碳铈矿精矿）、ND2O3（氧化钕）。',
  },
  {
    key: 'mass_kg',
    header: '质量(kg)',
    type: 'integer',
    required: true,
    note: '实物质量，整数千克；可带千位分隔符（1,000），不可带小数。',
  },
  {
    key: 'grade_ppm',
    header: '品位(ppm)',
    type: 'integer',
    required: false,
    note: 'REO品位，百万分之一的整数（如 50% 填 500000）；按化验折算的产品（精矿等）必填。',
  },
  {
    key: 'reo_kg',
    header: 'REO(kg)',
    type: 'integer',
    required: false,
    note: '稀土氧化物折合量，整数千克；不填时由系统按品位或折算系数计算，填写时与计算值核对。',
  },
  {
    key: 'counterparty',
    header: '交易对方信用代码',
    type: 'text',
    required: false,
    note: '发货、收货时必填：对方企业的统一社会信用代码（18位）。',
  },
  {
    key: 'counterparty_name',
    header: '交易对方名称',
    type: 'text',
    required: false,
    note: '进口、出口时必填：境外交易对方名称。',
  },
  {
    key: 'country',
    header: '国家',
    type: 'text',
    required: false,
    note: '进口、出口时必填：ISO 3166-1 两位国家代码，如 MM、US。',
  },
  { key: 'invoice_no', header: '发票号', type: 'text', required: false, note: '发票号码（可选）。' },
  { key: 'waybill_no', header: '运单号', type: 'text', required: false, note: '运单号码（可选）。' },
  {
    key: 'customs_declaration_no',
    header: '报关单号',
    type: 'text',
    required: false,
    note: '进出口报关单号（可选）。',
  },
  {
    key: 'amends',
    header: '更正事件编号',
    type: 'list',
    required: false,
    note: '更正已申报月份的事件时填写：被更正的事件编号，多个用分号 ; 分隔；同时须填写原因。',
  },
  {
    key: 'reason',
    header: '原因',
    type: 'text',
    required: false,
    note: '损耗必填；更正时必填：原因说明。',
  },
  {
    key: 'edges',
    header: '来源批次REO',
    type: 'edges',
    required: false,
    note: '仅加工转化的产出行：本产出批次的REO来自各投入批次的千克数，格式 批次号:千克;批次号:千克，如 B1:600;B2:400。只有一个投入或一个产出时可不填。',
  },
];

export const columnByKey: ReadonlyMap<ColumnKey, FlowFileColumn> = new Map(
  flowFileColumns.map((column) => [column.key, column]),
);

/** Chinese names of the kinds, as files write them. */
export const kindNames: Readonly<Record<string, string>> = {
  produce: '生产',
  transform: '加工转化',
  ship: '发货',
  receive: '收货',
  import: '进口',
  export: '出口',
  stock_count: '盘点',
  loss: '损耗',
};
