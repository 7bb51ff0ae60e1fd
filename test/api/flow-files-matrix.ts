import { expect } from 'vitest';
import type { Client } from '../support/app.ts';
import { nextSerial } from './api-helpers.ts';
import type { MatrixCase, MatrixFixtures } from './route-matrix.ts';
import { csvOf } from '../flows/file-helpers.ts';

/**
 * The authorization matrix of the flow file routes: the templates for anyone signed in, the upload for
 * enterprise users (flow.write), each recording for its own enterprise. files.db.test.ts runs these cases;
 * the route-coverage check in authorization.db.test.ts counts them as covered.
 */

export const flowFileCallers = [
  'miit',
  'mnr',
  'baotou.iit',
  'ganzhou.nr',
  'longnan.iit',
  'ent.bayan',
  'ent.dingnan',
  'oversight',
  'operator',
  'anonymous',
] as const;
export type FlowFileCaller = (typeof flowFileCallers)[number];
export type FlowFileFixtures = MatrixFixtures<FlowFileCaller>;
export type FlowFileCase = MatrixCase<FlowFileFixtures, FlowFileCaller>;

function expectations(ok: number, who: readonly FlowFileCaller[]): Record<FlowFileCaller, number> {
  const result = {} as Record<FlowFileCaller, number>;
  for (const caller of flowFileCallers) result[caller] = caller === 'anonymous' ? 401 : who.includes(caller) ? ok : 403;
  return result;
}
const signedIn = flowFileCallers.filter((caller) => caller !== 'anonymous');

/** A client that sends its requests' bodies with this content type (the matrix runner sends none). */
export function sendingAs(client: Client, contentType: string): Client {
  return {
    ...client,
    request: (method, url, body, headers = {}) =>
      client.request(method, url, body, { 'content-type': contentType, ...headers }),
  };
}

/** One produce event with an event id and batch no one has used: a file no one has sent. */
export function freshProduceCsv(caller: string): string {
  const n = nextSerial();
  const id = `M-${caller}-${n}-${Date.now()}`;
  return csvOf([
    {
      事件编号: id,
      类型: '生产',
      事件时间: '2026-03-05 08:30',
      批次号: `MX-${n}-${Date.now()}`.slice(0, 64),
      产品代码: 'ND2O3',
      '质量(kg)': 10,
    },
  ]);
}

export function flowFilesMatrix(): FlowFileCase[] {
  return [
    {
      route: 'GET /api/v1/flows/templates/flows.csv',
      name: 'CSV template',
      expect: expectations(200, signedIn),
      url: () => '/api/v1/flows/templates/flows.csv',
      verify: (_fx, _caller, response) => {
        expect(response.headers['content-type']).toMatch(/^text\/csv/);
        expect(response.body.startsWith('\uFEFF事件编号,类型,事件时间')).toBe(true);
      },
    },
    {
      route: 'GET /api/v1/flows/templates/flows.xlsx',
      name: 'XLSX template',
      expect: expectations(200, signedIn),
      url: () => '/api/v1/flows/templates/flows.xlsx',
      verify: (_fx, _caller, response) => {
        expect(response.headers['content-type']).toContain('spreadsheetml');
        expect(response.rawPayload.subarray(0, 2).toString()).toBe('PK');
      },
    },
    {
      route: 'POST /api/v1/flows/files',
      name: 'a one-row CSV of its own production',
      expect: expectations(201, ['ent.bayan', 'ent.dingnan']),
      url: (_fx, caller) => `/api/v1/flows/files?name=${encodeURIComponent(`${caller}.csv`)}`,
      prepare: async (fx, caller) => ({ client: sendingAs(fx.clients[caller], 'text/csv') }),
      body: (_fx, caller) => freshProduceCsv(caller),
      verify: (_fx, _caller, response) => {
        expect(response.json<{ accepted: number; replayed: boolean }>()).toMatchObject({
          accepted: 1,
          replayed: false,
        });
      },
    },
  ];
}
