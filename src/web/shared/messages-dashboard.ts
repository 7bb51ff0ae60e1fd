/**
 * The strings of the national and jurisdiction dashboards (Art. 9), as [中文, English]; merged into `messages`.
 * Chinese terms follow the glossary in DESIGN.md §8.
 */
export const dashboardMessages = {
  'dashboard.title': ['总量控制指标执行情况', 'Indicator execution'],
  'dashboard.subtitle': [
    '全国及各地区稀土开采、冶炼分离总量控制指标执行情况（第九条）：分配、使用、剩余，对照年度时间进度',
    'Mining and separation indicators by region and enterprise (Art. 9): allocated, used, remaining, against the year gone by',
  ],
  'dashboard.year': ['年度', 'Year'],
  'dashboard.category': ['指标类别', 'Category'],
  'dashboard.allCategories': ['全部类别', 'All categories'],
  'dashboard.up': ['返回上级', 'Up one level'],
  'dashboard.allocated': ['已分配（扣减后）', 'Allocated (net of reductions)'],
  'dashboard.consumed': ['已使用', 'Used'],
  'dashboard.remaining': ['剩余', 'Remaining'],
  'dashboard.utilisation': ['使用率', 'Utilisation'],
  'dashboard.elapsed': ['时间进度', 'Year elapsed'],
  'dashboard.elapsedOn': ['截至 {date}', 'as of {date}'],
  'dashboard.overBalance': ['超出指标', 'Over quota'],
  'dashboard.noAllocation': ['未分配指标', 'No allocation'],
  'dashboard.tonnes': ['吨', 't'],

  'dashboard.map.title': ['分省指标执行（地图）', 'Execution by province (map)'],
  'dashboard.map.label': ['中国分省指标使用率地图', 'Map of China coloured by indicator utilisation'],
  'dashboard.map.note': [
    '示意图，非标准地图。省界等不代表官方立场；如需对外发布，请由运维人员配置经审核的标准地图（审图号）。',
    'A schematic, not an approved standard map (示意图，非标准地图). Borders do not represent an official position; for publication an operator configures an approved map (审图号).',
  ],
  'dashboard.map.hint': ['点击省份查看下级地区', 'Click a province to see its divisions'],
  'dashboard.map.noData': ['无数据', 'No data'],
  'dashboard.map.loading': ['地图加载中', 'Loading the map'],
  'dashboard.map.failed': ['地图无法加载', 'The map could not be loaded'],

  'dashboard.areas.title': ['分地区执行情况', 'By region'],
  'dashboard.areas.name': ['地区', 'Region'],
  'dashboard.areas.enterprises': ['企业数', 'Enterprises'],
  'dashboard.areas.direct': ['（直属）', '(directly)'],
  'dashboard.areas.open': ['查看下级', 'Look inside'],

  'dashboard.utilisation.title': ['指标使用率与时间进度', 'Utilisation against the year elapsed'],
  'dashboard.utilisation.label': [
    '各类别指标使用率柱状图，标线为年度时间进度',
    'Utilisation by category; the line marks the year elapsed',
  ],

  'dashboard.trend.title': ['月度产量趋势', 'Monthly production'],
  'dashboard.trend.label': ['按指标类别的月度产量堆叠柱状图', 'Monthly production by category, stacked'],
  'dashboard.trend.unit': ['吨 REO', 't REO'],

  'dashboard.history.title': ['历年全国总量控制指标（公开数据）', 'National indicators by year (published)'],
  'dashboard.history.label': ['历年开采、冶炼分离总量控制指标柱状图', 'Mining and separation indicators by year'],
  'dashboard.history.rock': ['开采：岩矿型', 'Mining: rock-type'],
  'dashboard.history.ion': ['开采：离子型', 'Mining: ion-adsorption'],
  'dashboard.history.miningUnsplit': ['开采（未公布分类）', 'Mining (split not published)'],
  'dashboard.history.separation': ['冶炼分离', 'Separation'],
  'dashboard.history.source': ['数据来源：', 'Source: '],

  'dashboard.anomalies.title': ['待处理异常', 'Open anomalies'],
  'dashboard.anomalies.none': ['本年度暂无待处理异常', 'No open anomalies this year'],
  'dashboard.anomalies.all': ['全部异常', 'All anomalies'],

  'dashboard.overdue.title': ['逾期未报（{period}）', 'Overdue reports ({period})'],
  'dashboard.overdue.titleNone': ['逾期未报', 'Overdue reports'],
  'dashboard.overdue.none': ['无逾期未报', 'Nothing overdue'],
  'dashboard.overdue.noPeriod': ['本年度尚无到期的月度报告', 'No monthly report of this year is due yet'],
  'dashboard.overdue.deadline': ['截止时间', 'Deadline'],
  'dashboard.overdue.who': ['报送单位', 'Who reports'],
  'dashboard.overdue.level': ['层级', 'Level'],
  'dashboard.overdue.board': ['报送看板', 'Reporting board'],
  'dashboard.corrections.title': ['逾期未整改（{count}）', 'Overdue corrections ({count})'],
  'dashboard.corrections.none': ['无逾期未整改的责令改正', 'No correction order is overdue'],
  'dashboard.corrections.enterprise': ['企业', 'Enterprise'],
  'dashboard.corrections.document': ['决定书文号', 'Decision no.'],
  'dashboard.corrections.due': ['整改期限', 'Correct by'],
  'dashboard.corrections.all': ['全部逾期整改（{count}）', 'All overdue corrections ({count})'],

  'dashboard.enterprises.title': ['分企业执行情况', 'By enterprise'],
  'dashboard.enterprises.name': ['企业', 'Enterprise'],
  'dashboard.enterprises.domicile': ['所在地', 'Domicile'],
  'dashboard.enterprises.kind': ['类型', 'Kind'],
  'dashboard.enterprises.categories': ['指标类别', 'Categories'],
  'dashboard.enterprises.quota': ['指标台账', 'Quota'],

  'dashboard.level.nation': ['全国', 'Nation'],
  'dashboard.level.province': ['省级', 'Province'],
  'dashboard.level.prefecture': ['市级', 'Prefecture'],
  'dashboard.level.county': ['县级', 'County'],
  'dashboard.level.enterprise': ['企业', 'Enterprise'],
} as const satisfies Record<string, readonly [string, string]>;
