import { expect } from 'vitest';
import type { DashboardView, IndicatorHistory } from '../../src/contracts/dashboard.ts';
import type { MatrixCase, MatrixFixtures } from './route-matrix.ts';

/**
 * The authorization matrix of the dashboard routes: the dashboards for officials (ministries, local departments
 * within their division, oversight), never for an enterprise or the operator; the published indicator history
 * for anyone signed in; the province map for anyone at all. dashboard.db.test.ts runs these cases; the
 * route-coverage check counts them as covered.
 */

export const dashboardCallers = [
  'miit',
  'mnr',
  'nmg.iit',
  'baotou.iit',
  'ganzhou.nr',
  'longnan.iit',
  'ent.bayan',
  'ent.dingnan',
  'oversight',
  'operator',
  'anonymous',
] as const;
export type DashboardCaller = (typeof dashboardCallers)[number];
export type DashboardFixtures = MatrixFixtures<DashboardCaller>;
export type DashboardCase = MatrixCase<DashboardFixtures, DashboardCaller>;

function expectations(ok: number, who: readonly DashboardCaller[]): Record<DashboardCaller, number> {
  const result = {} as Record<DashboardCaller, number>;
  for (const caller of dashboardCallers)
    result[caller] = caller === 'anonymous' ? 401 : who.includes(caller) ? ok : 403;
  return result;
}

const national: readonly DashboardCaller[] = ['miit', 'mnr', 'oversight'];
const officials: readonly DashboardCaller[] = [...national, 'nmg.iit', 'baotou.iit', 'ganzhou.nr', 'longnan.iit'];
const signedIn = dashboardCallers.filter((caller) => caller !== 'anonymous');

/** The division each official's dashboard opens on, and the prefix every enterprise on it has. */
const homeOf: Partial<Record<DashboardCaller, { code: string; prefix: string }>> = {
  miit: { code: '000000', prefix: '' },
  mnr: { code: '000000', prefix: '' },
  oversight: { code: '000000', prefix: '' },
  'nmg.iit': { code: '150000', prefix: '15' },
  'baotou.iit': { code: '150200', prefix: '1502' },
  'ganzhou.nr': { code: '360700', prefix: '3607' },
  'longnan.iit': { code: '360783', prefix: '360783' },
};

export function dashboardMatrix(): DashboardCase[] {
  return [
    {
      route: 'GET /api/v1/dashboard',
      name: 'the dashboard of 2026: each official their own division, nothing beyond it',
      expect: expectations(200, officials),
      url: () => '/api/v1/dashboard?year=2026',
      verify: (_fx, caller, response) => {
        const view = response.json<DashboardView>();
        const home = homeOf[caller]!;
        expect(view.view.code).toBe(home.code);
        expect(view.enterprises.every((item) => item.domicile_code.startsWith(home.prefix))).toBe(true);
        expect(view.areas.every((item) => item.code === home.code || item.code.startsWith(home.prefix))).toBe(true);
      },
    },
    {
      route: 'GET /api/v1/dashboard',
      name: 'looking into Baotou: the ministries, oversight, Inner Mongolia and Baotou; not Ganzhou',
      expect: expectations(200, [...national, 'nmg.iit', 'baotou.iit']),
      url: () => '/api/v1/dashboard?year=2026&division_code=150200',
      verify: (_fx, _caller, response) => {
        const view = response.json<DashboardView>();
        expect(view.view.code).toBe('150200');
        expect(view.enterprises.length).toBeGreaterThan(0);
        expect(view.enterprises.every((item) => item.domicile_code.startsWith('1502'))).toBe(true);
      },
    },
    {
      route: 'GET /api/v1/dashboard',
      name: 'looking into Longnan county: the ministries, oversight, Ganzhou and Longnan; not Inner Mongolia',
      expect: expectations(200, [...national, 'ganzhou.nr', 'longnan.iit']),
      url: () => '/api/v1/dashboard?year=2026&division_code=360783',
      verify: (_fx, _caller, response) => {
        const view = response.json<DashboardView>();
        expect(view.view.code).toBe('360783');
        expect(view.enterprises.every((item) => item.domicile_code === '360783')).toBe(true);
      },
    },
    {
      route: 'GET /api/v1/dashboard/indicator-history',
      name: 'the published national indicators',
      expect: expectations(200, signedIn),
      url: () => '/api/v1/dashboard/indicator-history',
      verify: (_fx, _caller, response) => {
        const history = response.json<IndicatorHistory>();
        expect(history.years.length).toBeGreaterThan(0);
        expect(history.unit).toBe('t REO');
      },
    },
    {
      route: 'GET /api/v1/public/maps/china',
      name: 'the province map, for anyone',
      expect: Object.fromEntries(dashboardCallers.map((caller) => [caller, 200])) as Record<DashboardCaller, number>,
      url: () => '/api/v1/public/maps/china',
      verify: (_fx, _caller, response) => {
        expect(response.headers['content-type']).toMatch(/^application\/geo\+json/);
        expect(response.headers['cache-control']).toMatch(/^public, max-age=\d+$/);
        expect(response.json<{ type: string }>().type).toBe('FeatureCollection');
      },
    },
  ];
}
