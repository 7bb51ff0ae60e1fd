import { describe, expect, it } from 'vitest';
import { divisionPrefix, isWithinDivision } from '../../src/server/modules/auth/auth.rules.ts';
import { loadDivisionTree } from '../../src/server/modules/registry/divisions.source.ts';

describe('the GB/T 2260 division tree', () => {
  const tree = loadDivisionTree();
  const byCode = new Map(tree.map((division) => [division.code, division]));

  it('holds every province and the real rare earth regions with their Chinese names', () => {
    expect(tree.filter((division) => division.level === 'province')).toHaveLength(34);
    expect(byCode.get('150200')).toMatchObject({ name: '包头市', level: 'prefecture', parent_code: '150000' });
    expect(byCode.get('150206')).toMatchObject({ name: '白云鄂博矿区', level: 'county', parent_code: '150200' });
    expect(byCode.get('360783')).toMatchObject({ name: '龙南市', level: 'county', parent_code: '360700' });
  });

  it('drops statistics-only entries and placeholders', () => {
    const counties = tree.filter((division) => division.level === 'county');
    expect(counties.length).toBeGreaterThan(2800);
    expect(counties.filter((division) => division.name === '市辖区')).toEqual([]);
    expect(counties.filter((division) => /7\d$/.test(division.code))).toEqual([]);
    expect(byCode.has('130171')).toBe(false); // 石家庄高新技术产业开发区
  });

  it('links every division to an existing parent of the level above', () => {
    for (const division of tree) {
      if (division.level === 'province') {
        expect(division.parent_code).toBeNull();
        continue;
      }
      const parent = byCode.get(division.parent_code ?? '');
      expect(parent, `${division.code} ${division.name}`).toBeDefined();
      expect(isWithinDivision(parent!.code, division.code)).toBe(true);
    }
    expect(byCode.get('110101')).toMatchObject({ name: '东城区', parent_code: '110000' });
  });

  it('scopes by code prefix', () => {
    expect(divisionPrefix('150000')).toBe('15');
    expect(divisionPrefix('150200')).toBe('1502');
    expect(divisionPrefix('150206')).toBe('150206');
    expect(isWithinDivision('150200', '150206')).toBe(true);
    expect(isWithinDivision('150200', '150302')).toBe(false);
  });
});
