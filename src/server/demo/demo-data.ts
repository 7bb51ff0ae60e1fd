import type { z } from 'zod';
import type { EnterpriseCreate, productCreateBody } from '../../contracts/registry.ts';
import { makeCreditCode } from '../../contracts/credit-code.rules.ts';

/**
 * Demo data: enterprises in the real rare earth regions under fictitious names, with valid credit codes.
 * The two groups are the real state groups the published indicators are allocated to.
 */
export const DEMO_PASSWORD = 'Monazite-demo-2026';
/**
 * The authenticator secret (RFC 6238, base32) every demo account is enrolled with, so a newcomer signs in at once:
 * add it to any authenticator app, or read the current code on the sign-in page (demo mode only; docs/security.md).
 * Never used outside the demo loader.
 */
export const DEMO_TOTP_SECRET = 'MONAZITEDEMOTOTPSECRETXXVIAAAAAA';

export const demoGroups = [
  { id: 'northern', name: '中国北方稀土（集团）高科技股份有限公司' },
  { id: 'china-re', name: '中国稀土集团有限公司' },
] as const;

const t = 1000; // kg per tonne
const licence = (kind: 'mining' | 'safety' | 'discharge', number: string, validTo: string) => ({
  kind,
  number,
  valid_from: '2023-01-01',
  valid_to: validTo,
});

interface DemoEnterprise extends Omit<EnterpriseCreate, 'credit_code' | 'security_profile'> {
  key: string;
  orgCode: string;
  responsible: string;
  designation: { mining?: string; separation?: string };
}

function enterprise(
  entry: DemoEnterprise,
): EnterpriseCreate & { key: string; designation: DemoEnterprise['designation'] } {
  const { key, orgCode, responsible, designation, ...fields } = entry;
  return {
    key,
    designation,
    credit_code: makeCreditCode('91', fields.domicile_code, orgCode),
    ...fields,
    security_profile: { responsible_person: responsible, protection_level: 3, last_assessment_on: '2026-03-15' },
  };
}

const scores = (technical: number, environment: number, safety: number) => ({
  technical_score: technical,
  environment_score: environment,
  safety_score: safety,
});

export const demoEnterprises = [
  enterprise({
    key: 'bayan',
    orgCode: 'MA0B1001',
    name: '包头白云鄂博巴彦稀土矿业有限公司',
    kind: 'mining',
    domicile_code: '150206',
    group_id: 'northern',
    mining_capacity_reo_kg_per_year: 100_000 * t,
    separation_capacity_reo_kg_per_year: 0,
    ...scores(88, 82, 90),
    licences: [
      licence('mining', 'C1500002011071120114455', '2031-12-31'),
      licence('safety', '(蒙)FM安许证字〔2023〕0071', '2026-12-31'),
      licence('discharge', '91150206MA0B1001XY001P', '2028-06-30'),
    ],
    responsible: '乌云其木格',
    designation: { mining: '工信部原函〔2022〕101号' },
  }),
  enterprise({
    key: 'kundulun',
    orgCode: 'MA0B1002',
    name: '包头昆都仑稀土冶炼分离有限公司',
    kind: 'separation',
    domicile_code: '150203',
    group_id: 'northern',
    mining_capacity_reo_kg_per_year: 0,
    separation_capacity_reo_kg_per_year: 60_000 * t,
    ...scores(90, 85, 88),
    licences: [
      licence('safety', '(蒙)WH安许证字〔2023〕0112', '2027-05-31'),
      licence('discharge', '91150203MA0B1002XY001P', '2028-06-30'),
    ],
    responsible: '张建国',
    designation: { separation: '工信部原函〔2022〕102号' },
  }),
  enterprise({
    key: 'jiuyuan',
    orgCode: 'MA0B1003',
    name: '包头九原新材料稀土分离有限公司',
    kind: 'separation',
    domicile_code: '150207',
    group_id: 'northern',
    mining_capacity_reo_kg_per_year: 0,
    separation_capacity_reo_kg_per_year: 30_000 * t,
    ...scores(80, 78, 84),
    licences: [
      licence('safety', '(蒙)WH安许证字〔2023〕0113', '2027-05-31'),
      licence('discharge', '91150207MA0B1003XY001P', '2028-06-30'),
    ],
    responsible: '李红梅',
    designation: { separation: '工信部原函〔2022〕103号' },
  }),
  enterprise({
    key: 'weishan',
    orgCode: 'MA0C2001',
    name: '微山湖畔稀土矿业有限公司',
    kind: 'both',
    domicile_code: '370826',
    group_id: 'northern',
    mining_capacity_reo_kg_per_year: 5_000 * t,
    separation_capacity_reo_kg_per_year: 8_000 * t,
    ...scores(75, 80, 79),
    licences: [
      licence('mining', 'C3700002010051120065432', '2029-12-31'),
      licence('safety', '(鲁)FM安许证字〔2024〕0321', '2027-03-31'),
      licence('discharge', '91370826MA0C2001XY001P', '2027-12-31'),
    ],
    responsible: '孔令辉',
    designation: { mining: '工信部原函〔2022〕104号', separation: '工信部原函〔2022〕105号' },
  }),
  enterprise({
    key: 'longnan',
    orgCode: 'MA0D3001',
    name: '赣州龙南离子型稀土矿业有限公司',
    kind: 'mining',
    domicile_code: '360783',
    group_id: 'china-re',
    mining_capacity_reo_kg_per_year: 5_000 * t,
    separation_capacity_reo_kg_per_year: 0,
    ...scores(82, 76, 85),
    licences: [
      licence('mining', 'C3600002009121120047788', '2030-12-31'),
      licence('safety', '(赣)FM安许证字〔2023〕0456', '2026-12-31'),
      licence('discharge', '91360783MA0D3001XY001P', '2028-06-30'),
    ],
    responsible: '钟志华',
    designation: { mining: '工信部原函〔2022〕201号' },
  }),
  enterprise({
    key: 'dingnan',
    orgCode: 'MA0D3002',
    name: '赣州定南稀土分离科技有限公司',
    kind: 'separation',
    domicile_code: '360728',
    group_id: 'china-re',
    mining_capacity_reo_kg_per_year: 0,
    separation_capacity_reo_kg_per_year: 10_000 * t,
    ...scores(86, 83, 87),
    licences: [
      licence('safety', '(赣)WH安许证字〔2023〕0457', '2027-09-30'),
      licence('discharge', '91360728MA0D3002XY001P', '2028-06-30'),
    ],
    responsible: '刘晓东',
    designation: { separation: '工信部原函〔2022〕202号' },
  }),
  enterprise({
    key: 'xinfeng',
    orgCode: 'MA0D3003',
    name: '信丰县嘉和稀土冶炼有限公司',
    kind: 'separation',
    domicile_code: '360722',
    group_id: 'china-re',
    mining_capacity_reo_kg_per_year: 0,
    separation_capacity_reo_kg_per_year: 1_500 * t,
    ...scores(70, 65, 72),
    licences: [
      licence('safety', '(赣)WH安许证字〔2022〕0301', '2025-12-31'),
      licence('discharge', '91360722MA0D3003XY001P', '2027-06-30'),
    ],
    responsible: '曾庆丰',
    designation: { separation: '工信部原函〔2022〕203号' },
  }),
  enterprise({
    key: 'mianning',
    orgCode: 'MA0E4001',
    name: '凉山冕宁牦牛坪稀土矿业有限公司',
    kind: 'mining',
    domicile_code: '513433',
    group_id: 'china-re',
    mining_capacity_reo_kg_per_year: 35_000 * t,
    separation_capacity_reo_kg_per_year: 0,
    ...scores(78, 74, 80),
    licences: [
      licence('mining', 'C5100002010121120099871', '2032-06-30'),
      licence('safety', '(川)FM安许证字〔2024〕0188', '2027-06-30'),
      licence('discharge', '91513433MA0E4001XY001P', '2028-06-30'),
    ],
    responsible: '阿说木呷',
    designation: { mining: '工信部原函〔2022〕204号' },
  }),
  enterprise({
    key: 'dechang',
    orgCode: 'MA0E4002',
    name: '德昌安宁河稀土分离有限公司',
    kind: 'separation',
    domicile_code: '513424',
    group_id: 'china-re',
    mining_capacity_reo_kg_per_year: 0,
    separation_capacity_reo_kg_per_year: 20_000 * t,
    ...scores(77, 79, 81),
    licences: [
      licence('safety', '(川)WH安许证字〔2024〕0189', '2027-06-30'),
      licence('discharge', '91513424MA0E4002XY001P', '2028-06-30'),
    ],
    responsible: '王德明',
    designation: { separation: '工信部原函〔2022〕205号' },
  }),
  enterprise({
    key: 'changting',
    orgCode: 'MA0F5001',
    name: '龙岩长汀汀江稀土分离有限公司',
    kind: 'separation',
    domicile_code: '350821',
    group_id: 'china-re',
    mining_capacity_reo_kg_per_year: 0,
    separation_capacity_reo_kg_per_year: 6_000 * t,
    ...scores(84, 88, 86),
    licences: [
      licence('safety', '(闽)WH安许证字〔2023〕0520', '2027-04-30'),
      licence('discharge', '91350821MA0F5001XY001P', '2028-06-30'),
    ],
    responsible: '黄永福',
    designation: { separation: '工信部原函〔2022〕206号' },
  }),
  enterprise({
    key: 'pingyuan',
    orgCode: 'MA0G6001',
    name: '梅州平远客家稀土矿业有限公司',
    kind: 'mining',
    domicile_code: '441426',
    group_id: 'china-re',
    mining_capacity_reo_kg_per_year: 2_500 * t,
    separation_capacity_reo_kg_per_year: 0,
    ...scores(74, 71, 77),
    licences: [
      licence('mining', 'C4400002011041120033210', '2030-03-31'),
      licence('safety', '(粤)FM安许证字〔2024〕0077', '2027-08-31'),
      licence('discharge', '91441426MA0G6001XY001P', '2028-06-30'),
    ],
    responsible: '李伟',
    designation: { mining: '工信部原函〔2022〕207号' },
  }),
  enterprise({
    key: 'fusui',
    orgCode: 'MA0H7001',
    name: '崇左扶绥左江稀土有限公司',
    kind: 'both',
    domicile_code: '451421',
    group_id: 'china-re',
    mining_capacity_reo_kg_per_year: 2_000 * t,
    separation_capacity_reo_kg_per_year: 3_000 * t,
    ...scores(72, 70, 75),
    licences: [
      licence('mining', 'C4500002012061120012345', '2029-06-30'),
      licence('safety', '(桂)FM安许证字〔2023〕0099', '2026-10-31'),
      licence('discharge', '91451421MA0H7001XY001P', '2028-06-30'),
    ],
    responsible: '韦春燕',
    designation: { mining: '工信部原函〔2022〕208号', separation: '工信部原函〔2022〕209号' },
  }),
  enterprise({
    key: 'jianghua',
    orgCode: 'MA0J8001',
    name: '永州江华瑶山稀土矿业有限公司',
    kind: 'mining',
    domicile_code: '431129',
    group_id: 'china-re',
    mining_capacity_reo_kg_per_year: 1_800 * t,
    separation_capacity_reo_kg_per_year: 0,
    ...scores(71, 69, 73),
    licences: [
      licence('mining', 'C4300002013081120056789', '2030-08-31'),
      licence('safety', '(湘)FM安许证字〔2024〕0144', '2027-02-28'),
      licence('discharge', '91431129MA0J8001XY001P', '2028-06-30'),
    ],
    responsible: '盘小龙',
    designation: { mining: '工信部原函〔2022〕210号' },
  }),
  enterprise({
    key: 'lincang',
    orgCode: 'MA0K9001',
    name: '临沧临翔南汀稀土有限公司',
    kind: 'mining',
    domicile_code: '530902',
    group_id: 'china-re',
    mining_capacity_reo_kg_per_year: 1_200 * t,
    separation_capacity_reo_kg_per_year: 0,
    ...scores(68, 66, 70),
    licences: [
      licence('mining', 'C5300002014011120011122', '2029-12-31'),
      licence('safety', '(云)FM安许证字〔2024〕0233', '2027-01-31'),
      licence('discharge', '91530902MA0K9001XY001P', '2028-06-30'),
    ],
    responsible: '杨光明',
    designation: {},
  }),
];

type ProductCreate = z.infer<typeof productCreateBody>;
const oxide = (code: string, nameZh: string, nameEn: string): ProductCreate => ({
  code,
  name_zh: nameZh,
  name_en: nameEn,
  category: 'separated',
  form: 'oxide',
  ore_type: null,
  conversion: 'factor',
  reo_factor_ppm: 1_000_000,
});
const metal = (code: string, nameZh: string, nameEn: string, factorPpm: number): ProductCreate => ({
  code,
  name_zh: nameZh,
  name_en: nameEn,
  category: 'separated',
  form: 'metal',
  ore_type: null,
  conversion: 'factor',
  reo_factor_ppm: factorPpm,
});
const mineral = (
  code: string,
  nameZh: string,
  nameEn: string,
  form: ProductCreate['form'],
  oreType: NonNullable<ProductCreate['ore_type']>,
): ProductCreate => ({
  code,
  name_zh: nameZh,
  name_en: nameEn,
  category: 'mineral',
  form,
  ore_type: oreType,
  conversion: 'assay',
  reo_factor_ppm: null,
});

/**
 * The catalogue. Oxides are REO themselves (factor 1). Metals convert by the oxide-to-element mass ratio
 * (e.g. Nd2O3/2Nd = 336.48/288.48 → 1,166,377 ppm); mineral products and mixed salts by their assay.
 */
export const demoProducts: ProductCreate[] = [
  mineral('BASTNAESITE_CONC', '氟碳铈矿精矿', 'Bastnaesite concentrate', 'concentrate', 'rock'),
  mineral('MIXED_CONC', '混合型稀土精矿', 'Mixed rare earth concentrate', 'concentrate', 'mixed'),
  mineral('ION_LEACHATE', '离子型稀土浸出液', 'Ion-adsorption ore leachate', 'leachate', 'ion_adsorption'),
  mineral(
    'ION_CARBONATE',
    '离子型稀土混合碳酸盐',
    'Ion-adsorption mixed rare earth carbonate',
    'carbonate',
    'ion_adsorption',
  ),
  mineral('MONAZITE_CONC', '独居石精矿', 'Monazite concentrate', 'concentrate', 'monazite'),
  mineral('IMPORTED_ORE', '进口稀土矿', 'Imported rare earth ore', 'ore', 'imported'),
  {
    code: 'RE_CHLORIDE',
    name_zh: '混合氯化稀土',
    name_en: 'Mixed rare earth chloride',
    category: 'separated',
    form: 'salt',
    ore_type: null,
    conversion: 'assay',
    reo_factor_ppm: null,
  },
  oxide('LA2O3', '氧化镧', 'Lanthanum oxide'),
  oxide('CEO2', '氧化铈', 'Cerium oxide'),
  oxide('PR6O11', '氧化镨', 'Praseodymium oxide'),
  oxide('ND2O3', '氧化钕', 'Neodymium oxide'),
  oxide('PRND_OXIDE', '氧化镨钕', 'Praseodymium-neodymium oxide'),
  oxide('SM2O3', '氧化钐', 'Samarium oxide'),
  oxide('EU2O3', '氧化铕', 'Europium oxide'),
  oxide('GD2O3', '氧化钆', 'Gadolinium oxide'),
  oxide('TB4O7', '氧化铽', 'Terbium oxide'),
  oxide('DY2O3', '氧化镝', 'Dysprosium oxide'),
  oxide('Y2O3', '氧化钇', 'Yttrium oxide'),
  metal('ND_METAL', '金属钕', 'Neodymium metal', 1_166_377),
  metal('PRND_METAL', '镨钕金属', 'Praseodymium-neodymium metal (25:75)', 1_176_823),
  metal('DY_METAL', '金属镝', 'Dysprosium metal', 1_147_684),
  metal('TB_METAL', '金属铽', 'Terbium metal', 1_176_172),
];

export interface DemoUser {
  login: string;
  display_name: string;
  role: 'ministry_official' | 'department_official' | 'enterprise_user' | 'oversight' | 'operator';
  authority_id: string | null;
  enterprise_key: string | null;
  note: string;
}

export const demoUsers: DemoUser[] = [
  {
    login: 'miit',
    display_name: '工信部原材料司 王处长',
    role: 'ministry_official',
    authority_id: 'MIIT',
    enterprise_key: null,
    note: 'MIIT: drafts, designates, keeps the register (national)',
  },
  {
    login: 'miit.review',
    display_name: '工信部原材料司 李副处长',
    role: 'ministry_official',
    authority_id: 'MIIT',
    enterprise_key: null,
    note: 'MIIT: a second official (approves what another drafted)',
  },
  {
    login: 'mnr',
    display_name: '自然资源部 陈处长',
    role: 'ministry_official',
    authority_id: 'MNR',
    enterprise_key: null,
    note: 'MNR: national, reads',
  },
  {
    login: 'ndrc',
    display_name: '国家发展改革委 赵处长',
    role: 'ministry_official',
    authority_id: 'NDRC',
    enterprise_key: null,
    note: 'NDRC: national, reads',
  },
  {
    login: 'nmg.iit',
    display_name: '内蒙古工信厅 孙科长',
    role: 'department_official',
    authority_id: '150000-industry_it',
    enterprise_key: null,
    note: 'Inner Mongolia, industry & IT (province)',
  },
  {
    login: 'baotou.iit',
    display_name: '包头市工信局 周科员',
    role: 'department_official',
    authority_id: '150200-industry_it',
    enterprise_key: null,
    note: 'Baotou, industry & IT (prefecture)',
  },
  {
    login: 'ganzhou.nr',
    display_name: '赣州市自然资源局 吴科长',
    role: 'department_official',
    authority_id: '360700-natural_resources',
    enterprise_key: null,
    note: 'Ganzhou, natural resources (prefecture)',
  },
  {
    login: 'longnan.iit',
    display_name: '龙南市工信局 郑科员',
    role: 'department_official',
    authority_id: '360783-industry_it',
    enterprise_key: null,
    note: 'Longnan, industry & IT (county)',
  },
  {
    login: 'ent.bayan',
    display_name: '巴彦稀土矿业 统计员',
    role: 'enterprise_user',
    authority_id: null,
    enterprise_key: 'bayan',
    note: 'a Baotou mine',
  },
  {
    login: 'ent.dingnan',
    display_name: '定南稀土分离 统计员',
    role: 'enterprise_user',
    authority_id: null,
    enterprise_key: 'dingnan',
    note: 'a Ganzhou separation plant',
  },
  {
    login: 'ent.kundulun',
    display_name: '昆都仑稀土冶炼分离 统计员',
    role: 'enterprise_user',
    authority_id: null,
    enterprise_key: 'kundulun',
    note: 'a Baotou separation plant (buys from the bayan mine)',
  },
  {
    login: 'ent.longnan',
    display_name: '龙南离子型稀土矿业 统计员',
    role: 'enterprise_user',
    authority_id: null,
    enterprise_key: 'longnan',
    note: 'a Ganzhou ion-adsorption mine (sells to dingnan)',
  },
  {
    login: 'oversight',
    display_name: '驻部纪检监察组 审计员',
    role: 'oversight',
    authority_id: null,
    enterprise_key: null,
    note: 'read-only audit',
  },
  {
    login: 'operator',
    display_name: '系统运维',
    role: 'operator',
    authority_id: null,
    enterprise_key: null,
    note: 'users and catalogue',
  },
];
