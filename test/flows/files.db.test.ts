import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SubmissionResult } from '../../src/contracts/flows.ts';
import { flowEventInput } from '../../src/contracts/flows.ts';
import { auditCount, expectProblem, worldDigest } from '../api/api-helpers.ts';
import { flowFileCallers, flowFilesMatrix, type FlowFileFixtures } from '../api/flow-files-matrix.ts';
import { runMatrixCase } from '../api/route-matrix.ts';
import { startTestApp, type Client, type TestContext } from '../support/app.ts';
import { BAYAN, csvOf, gb18030, KUNDULUN, parseBytes, xlsxOf } from './file-helpers.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

describe('flow files over the API', () => {
  let context: TestContext;
  let bayan: Client;
  let bayanId: string;
  let serial = 0;
  /** Event ids and batches no other test uses. */
  const tag = () => `${Date.now().toString(36)}${(serial += 1)}`;

  beforeAll(async () => {
    context = await startTestApp();
    bayan = await context.as('ent.bayan');
    const row = await context.database.db
      .selectFrom('enterprise')
      .select('id')
      .where('credit_code', '=', BAYAN)
      .executeTakeFirstOrThrow();
    bayanId = row.id;
  });
  afterAll(async () => context.close());

  const db = () => context.database.db;
  const upload = (client: Client, body: Buffer | string, query = 'name=flows.csv', type = 'text/csv') =>
    client.request('POST', `/api/v1/flows/files?${query}`, body, { 'content-type': type });
  const counts = async () => ({
    lines: Number(
      (
        await db()
          .selectFrom('flow_line')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('enterprise_id', '=', bayanId)
          .executeTakeFirstOrThrow()
      ).n,
    ),
    submissions: Number(
      (
        await db()
          .selectFrom('flow_submission')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ),
    audit: await auditCount(db()),
  });
  const produce = (id: string, overrides: Record<string, string | number> = {}) => ({
    事件编号: id,
    类型: '生产',
    事件时间: '2026-03-05 08:30',
    批次号: `B-${id}`,
    产品代码: 'BASTNAESITE_CONC',
    '质量(kg)': '1,000',
    '品位(ppm)': 500_000,
    ...overrides,
  });

  it('stores a CSV upload as one submission, computes REO, and audits it in the same transaction', async () => {
    const id = tag();
    const before = await counts();
    const response = await upload(bayan, csvOf([produce(`${id}-1`), produce(`${id}-2`, { '质量(kg)': 3000 })]));
    expect(response.statusCode, response.body).toBe(201);
    const result = response.json<SubmissionResult>();
    expect(result).toMatchObject({ source: 'file', received: 2, accepted: 2, rejected: 0, replayed: false });
    expect(result.enterprise_id).toBe(bayanId);
    const lines = await db()
      .selectFrom('flow_line')
      .select(['event_id', 'reo_kg', 'mass_kg'])
      .where('submission_id', '=', result.submission_id)
      .orderBy('event_id')
      .execute();
    expect(lines.map((line) => [line.event_id, Number(line.mass_kg), Number(line.reo_kg)])).toEqual([
      [`${id}-1`, 1000, 500],
      [`${id}-2`, 3000, 1500],
    ]);
    const audit = await db()
      .selectFrom('audit_entry')
      .selectAll()
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ action: 'flow.file', object_id: result.submission_id, actor_login: 'ent.bayan' });
    expect(await counts()).toEqual({
      lines: before.lines + 2,
      submissions: before.submissions + 1,
      audit: before.audit + 1,
    });
  });

  it('stores an XLSX upload with a transform of two inputs into two outputs and a shipment', async () => {
    const id = tag();
    const transform = (direction: string, batch: string, extra: Record<string, string | number> = {}) => ({
      事件编号: `${id}-T`,
      类型: '加工转化',
      事件时间: new Date(Date.UTC(2026, 2, 10, 14, 0)),
      方向: direction,
      批次号: batch,
      产品代码: 'RE_CHLORIDE',
      '质量(kg)': 1000,
      '品位(ppm)': 400_000,
      ...extra,
    });
    const feed = { 产品代码: 'BASTNAESITE_CONC', '品位(ppm)': 500_000 };
    const bytes = await xlsxOf([
      produce(`${id}-P1`, { 批次号: `${id}-B1` }),
      produce(`${id}-P2`, { 批次号: `${id}-B2` }),
      transform('投入', `${id}-B1`, feed),
      transform('投入', `${id}-B2`, feed),
      transform('产出', `${id}-O1`, { 来源批次REO: `${id}-B1:250;${id}-B2:150` }),
      transform('产出', `${id}-O2`, { 来源批次REO: `${id}-B1:200;${id}-B2:200` }),
      {
        ...produce(`${id}-S`),
        类型: '发货',
        批次号: `${id}-O1`,
        产品代码: 'RE_CHLORIDE',
        '品位(ppm)': 400_000,
        交易对方信用代码: KUNDULUN,
      },
    ]);
    const response = await upload(bayan, bytes, 'name=flows.xlsx', XLSX);
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json<SubmissionResult>()).toMatchObject({ received: 4, accepted: 4 });
    const lines = await db().selectFrom('flow_line').select('event_id').where('event_id', 'like', `${id}-%`).execute();
    expect(lines).toHaveLength(2 + 4 + 1);
  });

  it('serves templates that parse back into valid events, and stores them', async () => {
    for (const [path, type] of [
      ['flows.csv', 'text/csv'],
      ['flows.xlsx', XLSX],
    ] as const) {
      const response = await bayan.get(`/api/v1/flows/templates/${path}`);
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toContain(type);
      expect(response.headers['content-disposition']).toContain(path);
      const events = await parseBytes(response.rawPayload);
      expect(events.map((item) => item.event.kind)).toEqual(['produce', 'produce', 'transform', 'ship']);
      for (const item of events) expect(flowEventInput.safeParse(item.event).success).toBe(true);
    }
    const csv = (await bayan.get('/api/v1/flows/templates/flows.csv')).rawPayload;
    const stored = await upload(bayan, csv, 'name=flows.csv');
    expect(stored.statusCode, stored.body).toBe(201);
    expect(stored.json<SubmissionResult>()).toMatchObject({ received: 4, accepted: 4, rejected: 0 });
    // The XLSX template holds the same events: a different file, nothing new.
    const xlsx = (await bayan.get('/api/v1/flows/templates/flows.xlsx')).rawPayload;
    const again = await upload(bayan, xlsx, 'name=flows.xlsx', XLSX);
    expect(again.statusCode, again.body).toBe(201);
    expect(again.json<SubmissionResult>()).toMatchObject({ received: 4, accepted: 0, unchanged: 4, replayed: false });
  });

  it('refuses a malformed file with every bad row and column named, and stores nothing', async () => {
    const id = tag();
    const before = await counts();
    const response = await upload(
      bayan,
      csvOf([
        produce(`${id}-1`),
        produce(`${id}-2`, { '质量(kg)': '10.5' }),
        produce(`${id}-3`, { 事件时间: '3月5日' }),
      ]),
    );
    const problem = expectProblem(response, 422, 'invalid');
    expect(problem.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ row: 3, field: '质量(kg)', message: 'must be a whole number of kg' }),
        expect.objectContaining({ row: 4, field: '事件时间' }),
      ]),
    );
    expect(await counts()).toEqual(before);
  });

  it('refuses a transform whose rows are laid out wrong, naming the row and column, and stores nothing', async () => {
    const id = tag();
    const row = (direction: string, batch: string) => ({
      ...produce(`${id}-T`, { 产品代码: 'ND2O3', '品位(ppm)': '' }),
      类型: '加工转化',
      方向: direction,
      批次号: batch,
    });
    const before = await counts();
    const response = await upload(bayan, csvOf([produce(`${id}-P`), row('投入', `B-${id}-P`), row('', `${id}-O`)]));
    const problem = expectProblem(response, 422, 'invalid');
    const said = (problem.errors ?? []).map((item) => `${item.row} ${item.field} ${item.message}`).join('\n');
    expect(said).toContain('4 方向 加工转化行须填写方向');
    expect(await counts()).toEqual(before);
  });

  it('refuses a file with an unknown column, naming it, and stores nothing', async () => {
    const before = await counts();
    const response = await upload(
      bayan,
      '事件编号,类型,事件时间,批次号,产品代码,重量\nA,生产,2026-03-05 08:30,B,ND2O3,5\n',
    );
    const problem = expectProblem(response, 422, 'invalid');
    expect(problem.detail).toContain('重量');
    expect(problem.detail).toContain('质量(kg)');
    expect(await counts()).toEqual(before);
  });

  it('reads a GB18030 (GBK) CSV as Excel saves it', async () => {
    const id = tag();
    const response = await upload(bayan, gb18030(csvOf([produce(`${id}-1`, { 原因: '首批' })])));
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json<SubmissionResult>().accepted).toBe(1);
  });

  it('answers the same file again with the first answer, changing nothing', async () => {
    const file = csvOf([produce(`${tag()}-1`)]);
    const first = await upload(bayan, file);
    expect(first.statusCode, first.body).toBe(201);
    const before = await counts();
    const second = await upload(bayan, file, 'name=renamed.csv');
    expect(second.statusCode, second.body).toBe(200);
    expect(second.json<SubmissionResult>()).toMatchObject({
      replayed: true,
      submission_id: first.json<SubmissionResult>().submission_id,
    });
    expect(await counts()).toEqual(before);
  });

  it('with on_error=proceed stores the good rows and lists the bad', async () => {
    const id = tag();
    const response = await upload(
      bayan,
      csvOf([produce(`${id}-1`), produce(`${id}-2`, { 产品代码: 'NO_SUCH' })]),
      'name=proceed.csv&on_error=proceed',
    );
    expect(response.statusCode, response.body).toBe(201);
    const result = response.json<SubmissionResult>();
    expect(result).toMatchObject({ received: 2, accepted: 1, rejected: 1 });
    expect(result.errors).toEqual([expect.objectContaining({ row: 3, event_id: `${id}-2`, field: '产品代码' })]);
  });

  it('refuses events outside the stated period', async () => {
    const before = await counts();
    const response = await upload(bayan, csvOf([produce(`${tag()}-1`)]), 'name=april.csv&period=2026-04');
    const problem = expectProblem(response, 422, 'invalid');
    expect(problem.errors?.[0]).toMatchObject({ row: 2, field: '事件时间' });
    expect(await counts()).toEqual(before);
  });

  it('refuses officials and anonymous callers, writing nothing', async () => {
    const file = csvOf([produce(`${tag()}-1`)]);
    const officials = [await context.as('baotou.iit'), await context.as('miit')]; // signing in is audited
    const before = await counts();
    const digest = await worldDigest(db());
    for (const official of officials) expectProblem(await upload(official, file), 403, 'forbidden');
    expectProblem(await upload(context.anonymous, file), 401, 'unauthenticated');
    expectProblem(await context.anonymous.get('/api/v1/flows/templates/flows.csv'), 401, 'unauthenticated');
    expect(await counts()).toEqual(before);
    expect(await worldDigest(db())).toBe(digest);
  });

  describe('authorization matrix', () => {
    const fx = {} as FlowFileFixtures;
    beforeAll(async () => {
      fx.context = context;
      const clients = { anonymous: context.anonymous } as FlowFileFixtures['clients'];
      for (const caller of flowFileCallers) if (caller !== 'anonymous') clients[caller] = await context.as(caller);
      fx.clients = clients;
    });

    it.each(flowFilesMatrix().map((item) => [`${item.route} (${item.name})`, item] as const))(
      '%s',
      async (_title, item) => {
        const submissions = (await counts()).submissions;
        expect(await runMatrixCase(fx, item, flowFileCallers)).toEqual([]);
        const written = item.route.startsWith('POST') ? 2 : 0; // ent.bayan and ent.dingnan
        expect((await counts()).submissions).toBe(submissions + written);
      },
    );
  });
});
