import type { AuthorityTable, DivisionTable } from '../../db/schema.ts';

/** The three national bodies of Art. 4. */
export const NATIONAL_AUTHORITIES: readonly AuthorityTable[] = [
  { id: 'MIIT', department: 'industry_it', division_code: null, name: '工业和信息化部' },
  { id: 'MNR', department: 'natural_resources', division_code: null, name: '自然资源部' },
  { id: 'NDRC', department: 'development_reform', division_code: null, name: '国家发展和改革委员会' },
];

export function localAuthorityId(divisionCode: string, department: 'industry_it' | 'natural_resources'): string {
  return `${divisionCode}-${department}`;
}

/**
 * The two local departments of Art. 4 ¶2 at one division: industry & IT, and natural resources.
 * Provinces have 厅, prefectures and counties 局 (names as commonly styled; an operator can rename).
 */
export function localAuthorities(division: Pick<DivisionTable, 'code' | 'name' | 'level'>): AuthorityTable[] {
  const suffix = division.level === 'province' ? '厅' : '局';
  return [
    {
      id: localAuthorityId(division.code, 'industry_it'),
      department: 'industry_it',
      division_code: division.code,
      name: `${division.name}工业和信息化${suffix}`,
    },
    {
      id: localAuthorityId(division.code, 'natural_resources'),
      department: 'natural_resources',
      division_code: division.code,
      name: `${division.name}自然资源${suffix}`,
    },
  ];
}
