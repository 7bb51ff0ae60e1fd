import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SubmissionResult } from '../../src/contracts/flows.ts';
import { flowFileLimits } from '../../src/server/modules/flows/flow-files.limits.ts';
import { MAX_EVIDENCE_BYTES } from '../../src/server/modules/supervision/supervision.rules.ts';
import { CAPTURE_LIMIT_BYTES } from '../../src/server/modules/epcis/epcis.schema.ts';
import { startTestApp, type Client, type TestContext } from '../support/app.ts';
import { deflatedRepeat, unzipEntries, zipOf } from '../support/zip-writer.ts';
import { BAYAN, csvOf, xlsxOf } from '../flows/file-helpers.ts';
import { importFlowFile, inspectFile } from '../../src/server/modules/flows/flow-files.service.ts';
import { commandLineContext } from '../../src/server/modules/admin/admin.service.ts';
import { expectProblem, worldDigest } from './api-helpers.ts';
import { key } from '../supervision/supervision-world.ts';

/**
 * Bodies over their limits through a real listening server: a chunked upload (no Content-Length) over the
 * limit gets its 413 problem like one with a length, on every route that takes a file or a body; a spreadsheet
 * bomb is refused naming the limit while another user is served; evidence said to be XLSX must be a ZIP whose
 * directory lists the workbook; a replayed file must match every submission parameter.
 */

interface Answer {
  status: number;
  type: string;
  body: string;
}

const MiB = 1024 * 1024;

/**
 * POSTs `total` bytes in chunks with Transfer-Encoding: chunked (no Content-Length), stopping when the server
 * answers. Resolves with the answer, or status 0 when the connection ended without one.
 */
function chunkedPost(url: string, headers: Record<string, string>, total: number, fill = 0x20): Promise<Answer> {
  return new Promise((resolve) => {
    let answered = false;
    const req = httpRequest(url, { method: 'POST', headers: { ...headers, 'transfer-encoding': 'chunked' } });
    req.on('response', (response) => {
      answered = true;
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          type: String(response.headers['content-type'] ?? ''),
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      response.on('error', () => resolve({ status: response.statusCode ?? 0, type: '', body: '' }));
    });
    req.on('error', () => {
      if (!answered) resolve({ status: 0, type: '', body: '' });
    });
    const chunk = Buffer.alloc(256 * 1024, fill);
    let sent = 0;
    const pump = () => {
      while (sent < total && !answered && !req.destroyed) {
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      if (!answered && !req.destroyed) req.end();
    };
    pump();
  });
}

describe('bodies over their limits, through a listening server', () => {
  let context: TestContext;
  let base: string;
  let bayanToken: string;
  let baotouToken: string;
  let bayan: Client;
  let inspectionId: string;

  const tokenOf = async (client: Client): Promise<string> => {
    const created = await client.post('/api/v1/auth/tokens', { name: 'limits test' });
    expect(created.statusCode, created.body).toBe(201);
    return created.json<{ token: string }>().token;
  };

  beforeAll(async () => {
    context = await startTestApp();
    bayan = await context.as('ent.bayan');
    const baotou = await context.as('baotou.iit');
    [bayanToken, baotouToken] = [await tokenOf(bayan), await tokenOf(baotou)];
    const kundulun = await context.database.db
      .selectFrom('enterprise')
      .select('id')
      .where('name', 'like', '%昆都仑%')
      .executeTakeFirstOrThrow();
    const planned = await baotou.post('/api/v1/supervision/inspections', {
      enterprise_id: kundulun.id,
      planned_on: '2026-11-20',
      purpose: '例行检查',
      reasons: ['年度例行检查'],
      inspectors: ['baotou.iit'],
      idempotency_key: key('limits-plan'),
    });
    expect(planned.statusCode, planned.body).toBe(201);
    inspectionId = planned.json<{ id: string }>().id;
    const address = await context.app.listen({ port: 0, host: '127.0.0.1' });
    base = address;
  });
  afterAll(async () => context.close());

  const db = () => context.database.db;
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  const routes = () => [
    {
      name: 'flow file upload',
      url: `${base}/api/v1/flows/files?name=big.csv`,
      headers: { ...bearer(bayanToken), 'content-type': 'text/csv' },
      limit: flowFileLimits.file_bytes,
      epcis: false,
    },
    {
      name: 'evidence upload',
      url: `${base}/api/v1/supervision/inspections/${inspectionId}/evidence?name=big.pdf`,
      headers: { ...bearer(baotouToken), 'content-type': 'application/pdf' },
      limit: MAX_EVIDENCE_BYTES,
      epcis: false,
    },
    {
      name: 'EPCIS capture',
      url: `${base}/epcis/capture`,
      headers: { ...bearer(bayanToken), 'content-type': 'application/json' },
      limit: CAPTURE_LIMIT_BYTES,
      epcis: true,
    },
    {
      name: 'JSON flow submission',
      url: `${base}/api/v1/flows`,
      headers: { ...bearer(bayanToken), 'content-type': 'application/json' },
      limit: 8 * MiB,
      epcis: false,
    },
    {
      name: 'JSON body under the global limit',
      url: `${base}/api/v1/auth/tokens`,
      headers: { ...bearer(bayanToken), 'content-type': 'application/json' },
      limit: 1_048_576,
      epcis: false,
    },
  ];

  it('answers a chunked body over the limit with 413 problem+json on every route that takes one', async () => {
    for (const route of routes()) {
      const before = await worldDigest(db());
      const answer = await chunkedPost(route.url, route.headers, route.limit + 2 * MiB);
      expect(answer.status, `${route.name}: ${answer.body}`).toBe(413);
      expect(answer.type, route.name).toContain('application/problem+json');
      const problem = JSON.parse(answer.body) as { code?: string; type: string };
      if (route.epcis) expect(problem.type).toBe('epcisException:CaptureLimitExceededException');
      else expect(problem.code, route.name).toBe('body_too_large');
      expect(await worldDigest(db()), route.name).toBe(before);
      // The server still serves.
      const health = await fetch(`${base}/healthz`);
      expect(health.status).toBe(200);
    }
  }, 120_000);

  it('refuses a spreadsheet bomb naming the limit, serving another user meanwhile, and writes nothing', async () => {
    const text = 'a'.repeat(30_000);
    const bomb = deflatedRepeat(
      '<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">',
      `<si><t>${text}</t></si>`,
      200_000,
      '</sst>',
    );
    const parts = unzipEntries(await xlsxOf([{ 事件编号: 'X' }]));
    const bytes = zipOf([
      ...parts.filter((part) => part.name !== 'xl/sharedStrings.xml'),
      { name: 'xl/sharedStrings.xml', data: '', deflated: bomb, claimedSize: 1000 },
    ]);
    const before = await worldDigest(db());
    const bombing = fetch(`${base}/api/v1/flows/files?name=bomb.xlsx`, {
      method: 'POST',
      headers: { ...bearer(bayanToken), 'content-type': 'application/octet-stream' },
      body: new Uint8Array(bytes),
    });
    const other = await fetch(`${base}/api/v1/supervision/inspections/${inspectionId}`, {
      headers: bearer(baotouToken),
    });
    expect(other.status).toBe(200);
    const answer = await bombing;
    expect(answer.status).toBe(413);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    expect(await answer.json()).toMatchObject({
      code: 'file_limit_exceeded',
      params: { limit: 'xlsx_shared_string_chars', max: flowFileLimits.xlsx_shared_string_chars },
    });
    expect(await worldDigest(db())).toBe(before);
  }, 120_000);
});

describe('evidence files are checked by their structure', () => {
  let context: TestContext;
  let baotou: Client;
  let inspectionId: string;

  beforeAll(async () => {
    context = await startTestApp();
    baotou = await context.as('baotou.iit');
    const kundulun = await context.database.db
      .selectFrom('enterprise')
      .select('id')
      .where('name', 'like', '%昆都仑%')
      .executeTakeFirstOrThrow();
    const planned = await baotou.post('/api/v1/supervision/inspections', {
      enterprise_id: kundulun.id,
      planned_on: '2026-11-20',
      purpose: '例行检查',
      reasons: ['年度例行检查'],
      inspectors: ['baotou.iit'],
      idempotency_key: key('evidence-structure'),
    });
    expect(planned.statusCode, planned.body).toBe(201);
    inspectionId = planned.json<{ id: string }>().id;
  });
  afterAll(async () => context.close());

  const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
  const upload = (name: string, bytes: Buffer, type: string) =>
    baotou.request(
      'POST',
      `/api/v1/supervision/inspections/${inspectionId}/evidence?name=${encodeURIComponent(name)}`,
      bytes,
      { 'content-type': type },
    );

  it('refuses bytes that merely contain the part names of an XLSX or DOCX (415), and writes nothing', async () => {
    const fakes: [string, Buffer, string][] = [
      ['strings.xlsx', Buffer.from('PK\u0003\u0004 [Content_Types].xml xl/workbook.xml padding', 'latin1'), XLSX],
      ['strings.docx', Buffer.from('PK\u0003\u0004 [Content_Types].xml word/document.xml padding', 'latin1'), DOCX],
      // A real ZIP whose part names only appear inside an entry's content.
      ['inside.xlsx', zipOf([{ name: 'notes.txt', data: '[Content_Types].xml xl/workbook.xml', stored: true }]), XLSX],
    ];
    for (const [name, bytes, type] of fakes) {
      const before = await worldDigest(context.database.db);
      expectProblem(await upload(name, bytes, type), 415, 'unsupported_type');
      expect(await worldDigest(context.database.db)).toBe(before);
    }
  });

  it('accepts a real XLSX workbook and a real DOCX document', async () => {
    const workbook = await xlsxOf([{ 事件编号: 'E-1' }]);
    const xlsx = await upload('real.xlsx', workbook, XLSX);
    expect(xlsx.statusCode, xlsx.body).toBe(201);
    expect(xlsx.json<{ content_type: string }>().content_type).toBe(XLSX);
    const docx = zipOf([
      {
        name: '[Content_Types].xml',
        data: `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`,
      },
      { name: 'word/document.xml', data: '<?xml version="1.0"?><document/>' },
    ]);
    const answer = await upload('real.docx', docx, 'application/octet-stream');
    expect(answer.statusCode, answer.body).toBe(201);
    expect(answer.json<{ content_type: string }>().content_type).toBe(DOCX);
  });
});

describe('a replayed submission must match every parameter', () => {
  let context: TestContext;
  let bayan: Client;

  beforeAll(async () => {
    context = await startTestApp();
    bayan = await context.as('ent.bayan');
  });
  afterAll(async () => context.close());

  const produce = (id: string) => ({
    事件编号: id,
    类型: '生产',
    事件时间: '2026-03-05 08:30',
    批次号: `B-${id}`,
    产品代码: 'BASTNAESITE_CONC',
    '质量(kg)': 1000,
    '品位(ppm)': 500_000,
  });
  const upload = (body: string, query: string) =>
    bayan.request('POST', `/api/v1/flows/files?${query}`, body, { 'content-type': 'text/csv' });

  it('refuses the same file with another period, naming period, and answers an exact replay with the first answer', async () => {
    const file = csvOf([produce('RP-1')]);
    const first = await upload(file, 'name=a.csv&period=2026-03');
    expect(first.statusCode, first.body).toBe(201);
    const before = await worldDigest(context.database.db);
    const other = await upload(file, 'name=a.csv&period=2026-04');
    const problem = expectProblem(other, 409, 'replay_mismatch');
    expect(problem.errors).toEqual([expect.objectContaining({ field: 'query.period' })]);
    expect(await worldDigest(context.database.db)).toBe(before);
    const none = await upload(file, 'name=a.csv');
    expect(expectProblem(none, 409, 'replay_mismatch').errors).toEqual([
      expect.objectContaining({ field: 'query.period' }),
    ]);
    const proceed = await upload(file, 'name=a.csv&period=2026-03&on_error=proceed');
    expect(expectProblem(proceed, 409, 'replay_mismatch').errors).toEqual([
      expect.objectContaining({ field: 'query.on_error' }),
    ]);
    expect(await worldDigest(context.database.db)).toBe(before);
    const again = await upload(file, 'name=a.csv&period=2026-03');
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json<SubmissionResult>()).toEqual({ ...first.json<SubmissionResult>(), replayed: true });
  });

  it('holds for the command line import the same way (the service monazite import calls)', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'monazite-replay-'));
    try {
      const path = join(directory, 'cli.csv');
      await writeFile(path, csvOf([produce('RPC-1')]));
      const enterprise = await context.database.db
        .selectFrom('enterprise')
        .select('id')
        .where('credit_code', '=', BAYAN)
        .executeTakeFirstOrThrow();
      const run = async (period: string) =>
        importFlowFile(
          context.database,
          commandLineContext({ user: 'test', host: 'localhost', pid: process.pid }, 'direct'),
          { source: 'cli', enterpriseId: enterprise.id, createdBy: 'cli:test', fileName: 'cli.csv', period },
          await inspectFile(path),
        );
      const first = await run('2026-03');
      expect(first.replayed).toBe(false);
      const before = await worldDigest(context.database.db);
      await expect(run('2026-05')).rejects.toMatchObject({
        status: 409,
        code: 'replay_mismatch',
        errors: [expect.objectContaining({ field: 'period' })],
        params: { parameter: 'period', first: '2026-03', now: '2026-05' },
      });
      expect(await worldDigest(context.database.db)).toBe(before);
      expect(await run('2026-03')).toEqual({ ...first, replayed: true });
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('holds for the JSON API the same way', async () => {
    const events = [
      {
        event_id: 'RPJ-1',
        kind: 'produce',
        event_time: '2026-03-05T08:30:00+08:00',
        batch: 'B-RPJ-1',
        product: 'BASTNAESITE_CONC',
        mass_kg: 1000,
        grade_ppm: 500_000,
      },
    ];
    const first = await bayan.post('/api/v1/flows?period=2026-03', { events });
    expect(first.statusCode, first.body).toBe(201);
    const other = await bayan.post('/api/v1/flows?period=2026-02', { events });
    expect(expectProblem(other, 409, 'replay_mismatch').errors).toEqual([
      expect.objectContaining({ field: 'query.period' }),
    ]);
    const again = await bayan.post('/api/v1/flows?period=2026-03', { events });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json<SubmissionResult>().submission_id).toBe(first.json<SubmissionResult>().submission_id);
  });
});
