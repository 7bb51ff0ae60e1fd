import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type Client, type TestContext } from '../support/app.ts';
import { fixture, fixtureNames } from '../epcis/epcis-documents.ts';
import { creditCodes, mineEvents } from '../flows/flow-world.ts';
import { newProductBody, worldDigest } from './api-helpers.ts';
import {
  authorisedLogin,
  expectRefusalShape,
  isEpcis,
  servedOperations,
  signInAll,
  urlOf,
  type DemoLogin,
  type JsonSchema,
  type Method,
  type Operation,
} from './hostile-helpers.ts';

/**
 * The fuzz suite (issue 12, item 13): requests built by fast-check from the OpenAPI document the app serves, to
 * every write route (POST, PUT, PATCH, DELETE) as a caller the route lets in — bodies built from the route's
 * schema with one field mutated, hostile strings (NUL, lone surrogates, RTL overrides, very long text, SQL,
 * HTML and spreadsheet-formula payloads, Unicode normalisation oddities), wrong types, extreme numbers, deep
 * nesting, prototype keys, missing and extra fields, hostile query and path values. For every answer: no 5xx;
 * every status >= 400 a problem (problem+json with a code, the EPCIS exception under /epcis); and every refused
 * request (4xx) leaves the world digest as it was. The digest is taken before a batch of refused requests and
 * compared after it; an accepted write (2xx) starts a new batch, the refused requests of the batch it cut being
 * sent again in the new one, so each is checked against an unchanged world.
 *
 * FUZZ_CASES (default 200) bounds the run for CI; FUZZ_SEED reproduces one (the seed is printed).
 * `npm run fuzz -- --cases N [--seed S]` runs more.
 */

const CASES = Number(process.env.FUZZ_CASES ?? 200);
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_207);
/** Refused requests checked by one pair of digests. */
const BATCH = 12;

interface FuzzCase {
  route: string;
  method: Method;
  url: string;
  /** The body as sent: JSON text (raw literals and all), or a file's text. */
  payload?: string;
  contentType?: string;
  /** What was mutated, for the failure message. */
  note: string;
  /** How deep the nesting put into the body is (0: none). */
  deep?: number;
}

/** A JSON literal sent as written (`1e400`, `-0`, a 30-digit integer), or a raw fragment (deep nesting). */
class Raw {
  constructor(readonly text: string) {}
}

/** JSON text of a value holding Raw fragments; keys as given (`__proto__` too). */
function jsonText(value: unknown): string {
  if (value instanceof Raw) return value.text;
  if (Array.isArray(value)) return `[${value.map(jsonText).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.entries(value)
      .map(([key, child]) => `${JSON.stringify(key)}:${jsonText(child)}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

const hostileStrings = [
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udc00y',
  '\u202egnp.exe',
  '\u2066isolate\u2069',
  'x'.repeat(70_000),
  '稀'.repeat(5_000),
  "' OR '1'='1' --",
  "'; DROP TABLE enterprise; --",
  '$1; SELECT pg_sleep(0)',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '=HYPERLINK("http://evil.invalid","x")',
  '+1+1',
  '-2+3',
  '@SUM(A1)',
  '\t=1',
  '\r=1',
  'e\u0301',
  '\u00e9',
  '\ufb01',
  '\uff21\uff22',
  '\ufeffbom',
  'zero\u200bwidth',
  '',
  ' ',
  '  padded  ',
  '\ud83c\udc04\ufe0f',
  '\ud840\udc00',
  'İstanbul',
  'straße',
  '%00',
  '%s%n%x',
  '../../etc/passwd',
  'null',
  'NaN',
  'Infinity',
  '1e308',
  '-0',
  '9223372036854775808',
  '１２３',
  '\r\n',
  '\\u0000',
  '{"a":1}',
];
const extremeNumbers = [
  '1e308',
  '-1e308',
  '1e400',
  '-1e400',
  '-0',
  '9223372036854775808',
  '-9223372036854775809',
  '18446744073709551616',
  '123456789012345678901234567890',
  '9007199254740993',
  '4.9e-324',
  '0.1',
  '1.5',
  '-1',
  '0',
  '2147483648',
].map((text) => new Raw(text));
const wrongTypes: unknown[] = [null, true, false, 0, -1, [], {}, [null], { a: 1 }, '', 'x', [[[]]], new Raw('"NaN"')];
const prototypeKeys = [
  new Raw('{"__proto__":{"polluted":true}}'),
  new Raw('{"constructor":{"prototype":{"polluted":true}}}'),
  new Raw('{"prototype":{"polluted":true}}'),
  new Raw('{"__proto__":null}'),
];
const depthOf = new Map<Raw, number>();
const deepNesting = [100, 1_000, 10_000, 100_000].flatMap((depth) => {
  const raws = [
    new Raw(`${'['.repeat(depth)}${']'.repeat(depth)}`),
    new Raw(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
  ];
  for (const raw of raws) depthOf.set(raw, depth);
  return raws;
});

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.constantFrom(...hostileStrings), weight: 5 },
  { arbitrary: fc.constantFrom(...extremeNumbers), weight: 3 },
  { arbitrary: fc.constantFrom(...wrongTypes), weight: 3 },
  { arbitrary: fc.constantFrom(...prototypeKeys), weight: 1 },
  { arbitrary: fc.constantFrom(...deepNesting), weight: 1 },
);

/** Values worth trying for fields of a name: the demo's ids and codes, so that bodies reach past "not found". */
type Pools = Record<string, readonly unknown[]>;

const isoDate = fc
  .date({ min: new Date('2024-01-01T00:00:00Z'), max: new Date('2028-12-31T00:00:00Z'), noInvalidDate: true })
  .map((date) => date.toISOString().slice(0, 10));

/** An arbitrary of values valid for a JSON schema, as far as the schema says (ids drawn from the demo). */
function fromSchema(schema: JsonSchema, name: string, pools: Pools, depth = 0): fc.Arbitrary<unknown> {
  const pool = pools[name];
  const own = ownArbitrary(schema, name, pools, depth);
  return pool && pool.length > 0
    ? fc.oneof({ arbitrary: fc.constantFrom(...pool), weight: 3 }, { arbitrary: own, weight: 1 })
    : own;
}

function ownArbitrary(schema: JsonSchema, name: string, pools: Pools, depth: number): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives && alternatives.length > 0)
    return fc.oneof(...alternatives.map((item) => fromSchema(item, name, pools, depth)));
  if (schema.allOf?.[0]) return fromSchema(schema.allOf[0], name, pools, depth);
  const types = [schema.type ?? []].flat();
  const type = types.find((item) => item !== 'null') ?? (schema.properties ? 'object' : undefined);
  const nullable = types.includes('null');
  const base = typedArbitrary(schema, type, name, pools, depth);
  return nullable ? fc.oneof(base, fc.constant(null)) : base;
}

function typedArbitrary(
  schema: JsonSchema,
  type: string | undefined,
  name: string,
  pools: Pools,
  depth: number,
): fc.Arbitrary<unknown> {
  switch (type) {
    case 'string': {
      if (schema.format === 'uuid') return fc.oneof(fc.constantFrom(...(pools.uuid ?? [])), fc.uuid());
      if (schema.format === 'date') return isoDate;
      if (schema.format === 'date-time') return isoDate.map((date) => `${date}T08:00:00+08:00`);
      if (schema.pattern && schema.pattern.length < 80) return fc.stringMatching(new RegExp(schema.pattern));
      return fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 20, 40) });
    }
    case 'integer':
      return fc.integer({
        min: Math.max(schema.minimum ?? -1_000, Number.MIN_SAFE_INTEGER),
        max: Math.min(schema.maximum ?? 1_000_000, Number.MAX_SAFE_INTEGER),
      });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      if (depth > 4) return fc.constant([]);
      const items = schema.items ?? {};
      return fc.array(fromSchema(items, name, pools, depth + 1), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(Math.max(schema.minItems ?? 0, 3), schema.maxItems ?? 3),
      });
    }
    case 'object': {
      if (depth > 4 || !schema.properties) return fc.constant({});
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, child] of Object.entries(schema.properties))
        model[key] = fromSchema(child, key, pools, depth + 1);
      return fc.record(model, { requiredKeys: (schema.required ?? []).filter((key) => key in model) });
    }
    default:
      return fc.oneof(fc.constant({}), fc.constant('x'), fc.integer());
  }
}

/** Every path (of keys and indexes) into a value, the root included. */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const paths = [prefix];
  if (Array.isArray(value)) value.forEach((item, index) => paths.push(...pathsOf(item, [...prefix, index])));
  else if (value !== null && typeof value === 'object' && !(value instanceof Raw))
    for (const [key, item] of Object.entries(value)) paths.push(...pathsOf(item, [...prefix, key]));
  return paths;
}

type Mutation =
  { kind: 'replace'; value: unknown } | { kind: 'delete' } | { kind: 'extra'; key: string; value: unknown };

/** The value with one place changed: replaced, deleted, or given an extra key. */
function mutate(value: unknown, path: readonly (string | number)[], mutation: Mutation): unknown {
  if (path.length === 0) {
    if (mutation.kind === 'replace') return mutation.value;
    if (mutation.kind === 'extra' && value !== null && typeof value === 'object' && !Array.isArray(value))
      return { ...value, [mutation.key]: mutation.value };
    return mutation.kind === 'delete' ? undefined : value;
  }
  const [head, ...rest] = path;
  if (Array.isArray(value)) {
    const copy: unknown[] = [...(value as unknown[])];
    const changed = mutate(copy[head as number], rest, mutation);
    if (changed === undefined) copy.splice(head as number, 1);
    else copy[head as number] = changed;
    return copy;
  }
  const record = { ...(value as Record<string, unknown>) };
  const changed = mutate(record[head as string], rest, mutation);
  if (changed === undefined) delete record[head as string];
  else record[head as string] = changed;
  return record;
}

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { arbitrary: hostileValue.map((value): Mutation => ({ kind: 'replace', value })), weight: 6 },
  { arbitrary: fc.constant<Mutation>({ kind: 'delete' }), weight: 1 },
  {
    arbitrary: fc
      .tuple(fc.constantFrom('extra_field', '__proto__', 'constructor', 'prototype', 'id', 'x\u0000'), hostileValue)
      .map(([key, value]): Mutation => ({ kind: 'extra', key, value })),
    weight: 2,
  },
);

const describeMutation = (path: readonly (string | number)[], change: Mutation): string => {
  const where = path.join('.') || '(body)';
  if (change.kind === 'delete') return `deleted ${where}`;
  const shown = (value: unknown) => (value instanceof Raw ? value.text : (JSON.stringify(value) ?? 'undefined'));
  const text = shown(change.value);
  const short = text.length > 60 ? `${text.slice(0, 60)}…(${text.length})` : text;
  return change.kind === 'extra' ? `extra ${where}.${JSON.stringify(change.key)} = ${short}` : `${where} = ${short}`;
};

/** A query or path value that must be refused or handled: hostile text as a URL carries it. */
const hostileUrlText = fc.constantFrom(
  '%00',
  'a%00',
  '%ED%A0%80',
  '%FF',
  '%',
  '%E2%80%AE',
  encodeURIComponent("' OR 1=1 --"),
  encodeURIComponent('<script>'),
  'x'.repeat(3_000),
  '-0',
  '1e308',
  '9223372036854775808',
  'NaN',
  '..%2F..%2Fetc',
  '',
);

interface Target {
  operation: Operation;
  client: () => Client;
  pathValues: Record<string, readonly string[]>;
  baseBody: fc.Arbitrary<unknown> | null;
  rawBody: { contentType: string; text: string } | null;
}

function caseOf(target: Target): fc.Arbitrary<FuzzCase> {
  const { operation } = target;
  const method = operation.method as Method;
  const pathArb = fc.record(
    Object.fromEntries(
      operation.pathParams.map((name) => [
        name,
        fc.oneof(
          { arbitrary: fc.constantFrom(...(target.pathValues[name] ?? ['x'])), weight: 8 },
          { arbitrary: hostileUrlText, weight: 1 },
        ),
      ]),
    ),
  );
  const queryArb = fc
    .tuple(
      ...operation.queryParams.map(({ name, schema, required }) =>
        fc.oneof(
          { arbitrary: fromSchema(schema, name, {}).map((value) => encodeURIComponent(String(value))), weight: 6 },
          { arbitrary: hostileUrlText, weight: required ? 1 : 2 },
          { arbitrary: fc.constant(null), weight: required ? 0 : 2 },
        ),
      ),
    )
    .map((values) =>
      values
        .map((value, index) => (value === null ? null : `${operation.queryParams[index]?.name ?? 'x'}=${value}`))
        .filter((item): item is string => item !== null)
        .join('&'),
    );
  const urlArb = fc.tuple(pathArb, queryArb).map(([values, query]) => urlOf(operation, values, query));
  if (target.rawBody) {
    const raw = target.rawBody;
    return fc.tuple(urlArb, fc.constantFrom(...hostileStrings), fc.boolean()).map(([url, text, mutated]) => ({
      route: operation.route,
      method,
      url,
      payload: mutated ? `${raw.text}${text}\n` : raw.text,
      contentType: raw.contentType,
      note: mutated ? `file with ${JSON.stringify(text.slice(0, 40))}` : 'file',
    }));
  }
  if (!target.baseBody) {
    return fc.tuple(urlArb, fc.option(hostileValue, { nil: undefined })).map(([url, body]) => ({
      route: operation.route,
      method,
      url,
      ...(body === undefined ? {} : { payload: jsonText(body), contentType: 'application/json' }),
      note: body === undefined ? 'no body' : `body ${jsonText(body).slice(0, 60)}`,
    }));
  }
  return fc
    .tuple(urlArb, target.baseBody, fc.nat(), mutation, fc.nat(9))
    .map(([url, base, pick, change, contentKind]) => {
      const paths = pathsOf(base);
      const path = paths[pick % paths.length] ?? [];
      const body = contentKind === 0 ? base : mutate(base, path, change);
      return {
        route: operation.route,
        method,
        url,
        payload: jsonText(body === undefined ? {} : body),
        contentType: isEpcis(operation) && contentKind === 1 ? 'application/ld+json' : 'application/json',
        note: contentKind === 0 ? 'schema body' : describeMutation(path, change),
        deep:
          contentKind !== 0 && 'value' in change && change.value instanceof Raw ? (depthOf.get(change.value) ?? 0) : 0,
      };
    });
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const SEGMENT_TABLES: Record<string, string> = {
  enterprises: 'enterprise',
  designations: 'designation',
  alerts: 'oversight_alert',
  'indicator-batches': 'indicator_batch',
  'allocation-runs': 'allocation_run',
  notices: 'notice',
  batches: 'flow_batch',
  anomalies: 'anomaly',
  reports: 'report',
  compilations: 'compilation',
  inspections: 'inspection',
  violations: 'violation',
  decisions: 'decision',
};

describe('fuzzing every write route from the OpenAPI document', () => {
  let context: TestContext;
  let clients: Record<DemoLogin, Client>;
  const targets: Target[] = [];

  beforeAll(async () => {
    context = await startTestApp();
    const db = context.database.db;
    clients = await signInAll(context);
    const operations = (await servedOperations(context)).filter((item) => WRITES.has(item.method));

    // Things of the fuzz's own, so that a change to them leaves the demo callers signed in and able.
    const operatorMade = await clients.operator.post('/api/v1/users', {
      login: 'fuzz.target',
      display_name: 'Fuzz target',
      password: 'Fuzz-target-2026',
      role: 'enterprise_user',
      enterprise_id: (await db.selectFrom('enterprise').select('id').executeTakeFirstOrThrow()).id,
    });
    expect(operatorMade.statusCode, operatorMade.body).toBe(201);
    const fuzzUser = operatorMade.json<{ id: string }>().id;
    const product = newProductBody();
    expect((await clients.operator.post('/api/v1/products', product)).statusCode).toBe(201);
    const thresholds = await clients.oversight.get('/api/v1/oversight/thresholds');
    const thresholdNames = thresholds.json<{ items: { name: string }[] }>().items.map((item) => item.name);

    const ids: Record<string, string[]> = {};
    for (const [segment, table] of Object.entries(SEGMENT_TABLES)) {
      const rows = await sql<{
        id: string;
      }>`SELECT id::text AS id FROM ${sql.table(table)} ORDER BY id LIMIT 4`.execute(db);
      ids[segment] = rows.rows.map((row) => row.id);
    }
    const codes = await creditCodes(db);
    const enterpriseIds = ids.enterprises ?? [];
    const pools: Pools = {
      uuid: Object.values(ids).flat(),
      enterprise_id: enterpriseIds,
      batch_id: ids['indicator-batches'] ?? [],
      inspection_id: ids.inspections ?? [],
      anomaly_id: ids.anomalies ?? [],
      replaces: ids.reports ?? [],
      division_code: ['150206', '150200', '150000', '360783', '360700', '360000'],
      domicile_code: ['150206', '360783', '360728'],
      period: ['2026-10', '2026-09', '2026-11', '2026'],
      year: [2026, 2027],
      credit_code: Object.values(codes),
      holder_id: enterpriseIds,
      group_id: [null],
      authority_id: [null, 'MIIT'],
      code: [product.code, 'ND2O3'],
    };

    for (const operation of operations) {
      const login = operation.route === 'POST /api/v1/auth/login' ? null : await authorisedLogin(clients, operation);
      const pathValues: Record<string, readonly string[]> = {};
      for (const name of operation.pathParams) {
        const segment = operation.path.split('/').at(operation.path.split('/').indexOf(`{${name}}`) - 1) ?? '';
        if (segment === 'users') pathValues[name] = [fuzzUser];
        else if (segment === 'products') pathValues[name] = [product.code];
        else if (segment === 'thresholds') pathValues[name] = thresholdNames;
        else if (name === 'year') pathValues[name] = ['2026', '2027'];
        else if (name === 'province') pathValues[name] = ['150000', '360000'];
        else if (segment === 'tokens') {
          const made = await clients[login ?? 'miit'].post('/api/v1/auth/tokens', { name: 'fuzz' });
          pathValues[name] = [made.json<{ id: string }>().id];
        } else pathValues[name] = ids[segment]?.length ? ids[segment] : ['00000000-0000-4000-8000-000000000000'];
      }
      let baseBody: fc.Arbitrary<unknown> | null = operation.body ? fromSchema(operation.body, '', pools) : null;
      if (operation.route === 'POST /api/v1/flows') baseBody = fc.constant({ events: mineEvents(codes) });
      if (operation.route === 'POST /epcis/capture')
        baseBody = fc.constantFrom(...fixtureNames.map((name) => fixture(name)));
      if (operation.route === 'POST /api/v1/auth/login')
        baseBody = fc.constant({ login: 'fuzz.nobody', password: 'Not-the-password-1' });
      const rawBody = !operation.rawBody
        ? null
        : operation.path.endsWith('/files')
          ? { contentType: 'text/csv', text: 'event_id,kind,event_time,batch,product,mass_kg\n' }
          : { contentType: 'application/pdf', text: '%PDF-1.4\n%fuzz\n' };
      const caller = login;
      targets.push({
        operation,
        client: () => (caller ? clients[caller] : context.anonymous),
        pathValues,
        baseBody,
        rawBody,
      });
    }
  });
  afterAll(async () => context.close());

  it(
    `sends ${CASES} generated requests (seed ${SEED}): no 5xx, problems for refusals, nothing written by a refusal`,
    async () => {
      console.log(`fuzz: ${CASES} cases, seed ${SEED} (FUZZ_SEED=${SEED} FUZZ_CASES=${CASES} to reproduce)`);
      expect(targets.length).toBeGreaterThan(50);
      const cases = fc.sample(
        fc.nat(targets.length - 1).chain((index) => caseOf(targets[index]!)),
        { numRuns: CASES, seed: SEED },
      );
      const db = context.database.db;
      const failures: string[] = [];
      const fail = (message: string) => {
        // Printed as found, so that a long run shows its findings before it ends.
        console.log(`fuzz failure: ${message}`);
        failures.push(message);
      };
      const statuses = new Map<number, number>();
      const clientOf = new Map(targets.map((target) => [target.operation.route, target.client]));

      const send = async (item: FuzzCase): Promise<LightMyRequestResponse> => {
        const client = clientOf.get(item.route)?.() ?? context.anonymous;
        const headers: Record<string, string> = item.contentType ? { 'content-type': item.contentType } : {};
        const response = await client.request(item.method, item.url, item.payload, headers);
        statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
        if (item.route === 'POST /api/v1/auth/logout' && response.statusCode < 300) await signInAgain(client);
        // The fifth wrong one-time code ends the session and makes the account wait: let the wait pass (as time
        // would) and sign in again to go on.
        if (item.route === SECOND_FACTOR && (await client.get('/api/v1/auth/me')).statusCode === 401) {
          if (client.login) {
            await db
              .updateTable('app_user')
              .set({ totp_failures: 0, totp_blocked_until: null })
              .where('login', '=', client.login)
              .execute();
          }
          await signInAgain(client);
        }
        return response;
      };
      const SECOND_FACTOR = 'POST /api/v1/auth/second-factor';
      const signInAgain = async (client: Client) => {
        const login = client.login as DemoLogin | null;
        if (login) clients[login] = await context.as(login);
      };
      const judge = (item: FuzzCase, response: LightMyRequestResponse): void => {
        const where = `${item.method} ${item.url.slice(0, 120)} [${item.note}]`;
        if (response.statusCode >= 500) {
          fail(`${where}: ${response.statusCode} ${response.body.slice(0, 300)}`);
          return;
        }
        if (response.statusCode >= 400) {
          try {
            expectRefusalShape(response, isEpcis({ path: item.url }));
          } catch (error) {
            fail(`${where}: not a problem answer (${String(error).slice(0, 200)})`);
          }
        }
      };

      /**
       * A refused sign-in writes by design (the sign-in throttle): the count for that login and address, and an
       * `auth.login_failed` audit entry. It must have written exactly that entry; it then counts as a write.
       */
      const recordedRefusal = async (item: FuzzCase, response: LightMyRequestResponse): Promise<boolean> => {
        // A wrong one-time code is counted against the session (five end it) and audited, like a wrong password.
        const expected =
          item.route === 'POST /api/v1/auth/login'
            ? 'auth.login_failed'
            : item.route === SECOND_FACTOR
              ? 'auth.second_factor_failed'
              : null;
        if (!expected || response.statusCode !== 401) return false;
        const newest = await db
          .selectFrom('audit_entry')
          .select('action')
          .orderBy('id', 'desc')
          .limit(1)
          .executeTakeFirstOrThrow();
        if (newest.action !== expected)
          fail(`${item.method} ${item.url}: a refusal recorded ${newest.action}, not ${expected}`);
        return true;
      };

      let before = await worldDigest(db);
      let refused: FuzzCase[] = [];
      const closeBatch = async () => {
        const after = await worldDigest(db);
        if (after !== before) {
          // Find which of the batch wrote: each again, alone, between two digests.
          const culprits: string[] = [];
          for (const item of refused) {
            const alone = await worldDigest(db);
            const response = await send(item);
            if (response.statusCode >= 400 && (await worldDigest(db)) !== alone)
              culprits.push(`${item.method} ${item.url} [${item.note}] ${response.statusCode}`);
          }
          fail(`a batch of refused requests wrote something: ${culprits.join('; ') || '(not reproduced)'}`);
        }
        before = await worldDigest(db);
        refused = [];
      };

      for (const item of cases) {
        const response = await send(item);
        judge(item, response);
        if (response.statusCode >= 400 && !(await recordedRefusal(item, response))) {
          refused.push(item);
          if (refused.length >= BATCH) await closeBatch();
          continue;
        }
        // An accepted request may have written: the refused ones before it are sent again against the new world.
        const cut = refused;
        refused = [];
        before = await worldDigest(db);
        for (const again of cut) {
          const second = await send(again);
          judge(again, second);
          if (second.statusCode >= 400 && !(await recordedRefusal(again, second))) refused.push(again);
          else {
            refused = [];
            before = await worldDigest(db);
          }
        }
      }
      await closeBatch();
      console.log(
        `fuzz: statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}, ` +
          `${failures.length} failures`,
      );
      expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
      expect(failures).toEqual([]);
    },
    Math.max(120_000, CASES * 250),
  );
});
