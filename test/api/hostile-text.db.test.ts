import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type Client, type TestContext } from '../support/app.ts';
import { worldDigest } from './api-helpers.ts';
import {
  authorisedLogin,
  expectRefusalShape,
  isEpcis,
  signInAll,
  servedOperations,
  urlOf,
  type DemoLogin,
  type JsonSchema,
  type Method,
  type Operation,
} from './hostile-helpers.ts';

/**
 * Text the database cannot hold is a 400 on every route, never a 500 (issue 12, item 8): a NUL character and a
 * lone surrogate in each kind of input a route takes — each path parameter, each query parameter, a string
 * field and a key of its JSON body — as a caller the route lets in, for every operation of the OpenAPI
 * document. /api answers problem+json with the code `text_nul` / `text_lone_surrogate` and the field; /epcis
 * answers the binding's ValidationException with the same field errors. Nothing is written. A PATCH that
 * changes nothing (`{}`, or only the `expected_version` its schema requires) is a 422 `empty_change` on every
 * PATCH route.
 */

const NUL = '\u0000';
const LONE = '\ud800';
/** A lone surrogate as a URL carries one: its WTF-8 bytes, percent-encoded (no UTF-8 encoder writes it). */
const LONE_IN_URL = '%ED%A0%80';

interface Expected {
  code: 'text_nul' | 'text_lone_surrogate';
  field: string;
}

/** The path (segments) to the first string field of a body schema, the first property otherwise. */
function stringFieldPath(schema: JsonSchema, path: string[] = []): string[] | null {
  const properties = Object.entries(schema.properties ?? {});
  for (const [name, child] of properties) {
    const types = [child.type ?? []].flat();
    if (types.includes('string')) return [...path, name];
  }
  for (const [name, child] of properties) {
    if (child.properties) {
      const found = stringFieldPath(child, [...path, name]);
      if (found) return found;
    }
    if (child.items?.properties) {
      const found = stringFieldPath(child.items, [...path, name, '0']);
      if (found) return found;
    }
  }
  return null;
}

/** A body holding `text` at `path` (segments; a digit segment is an array index). */
function bodyWith(path: readonly string[], text: string): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return text;
  if (/^\d+$/.test(head)) return [bodyWith(rest, text)];
  return { [head]: bodyWith(rest, text) };
}

/** A minimal EPCIS document whose one event carries an extension field `field` holding `text`. */
function epcisDocument(key: string, text: string) {
  return {
    '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { example: 'https://example.org/' }],
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: '2026-10-01T00:00:00Z',
    epcisBody: {
      eventList: [
        {
          type: 'ObjectEvent',
          eventTime: '2026-10-01T00:00:00Z',
          eventTimeZoneOffset: '+08:00',
          action: 'OBSERVE',
          epcList: [],
          [key]: text,
        },
      ],
    },
  };
}

describe('bad text is a 400 on every route, and an empty change a 422', () => {
  let context: TestContext;
  let clients: Record<DemoLogin, Client>;
  let operations: Operation[];
  const callers = new Map<string, DemoLogin>();

  beforeAll(async () => {
    context = await startTestApp();
    clients = await signInAll(context);
    operations = (await servedOperations(context)).filter((item) => item.method !== 'OPTIONS');
    for (const operation of operations) callers.set(operation.route, await authorisedLogin(clients, operation));
  });
  afterAll(async () => context.close());

  const callerOf = (operation: Operation): Client => clients[callers.get(operation.route) ?? 'miit'];

  /** Sends one hostile request and returns what is wrong with the answer ('' when it is right). */
  async function check(
    operation: Operation,
    client: Client,
    url: string,
    body: unknown,
    expected: Expected,
  ): Promise<string> {
    const method = operation.method as Method;
    const response: LightMyRequestResponse = await client.request(method, url, body);
    const where = `${operation.route} as ${client.login ?? 'anonymous'} (${expected.field}, ${expected.code})`;
    if (response.statusCode !== 400) return `${where}: ${response.statusCode} ${response.body.slice(0, 200)}`;
    const problem = expectRefusalShape(response, isEpcis(operation));
    if (isEpcis(operation)) {
      if (problem.type !== 'epcisException:ValidationException') return `${where}: type ${problem.type}`;
    } else if (problem.code !== expected.code) return `${where}: code ${problem.code ?? ''}`;
    const fields = (problem.errors ?? []).map((item) => item.field);
    if (!fields.includes(expected.field)) return `${where}: fields ${JSON.stringify(fields)}`;
    return '';
  }

  async function unchangedAfter(run: () => Promise<string[]>): Promise<void> {
    const db = context.database.db;
    const before = await worldDigest(db);
    const wrong = (await run()).filter(Boolean);
    expect(wrong).toEqual([]);
    expect(await worldDigest(db), 'a refused request wrote something').toBe(before);
  }

  it('walks every operation the app serves, each with a caller its access gate lets in', () => {
    expect(operations.length).toBeGreaterThan(100);
    expect(operations.filter((item) => item.pathParams.length > 0).length).toBeGreaterThan(40);
    expect(operations.filter((item) => item.queryParams.length > 0).length).toBeGreaterThan(40);
    expect(operations.filter((item) => item.body).length).toBeGreaterThan(40);
    expect(callers.size).toBe(operations.length);
  });

  it('refuses the unauthenticated sign-in with a NUL or a lone surrogate in the login or the password', async () => {
    await unchangedAfter(async () => {
      const login = operations.find((item) => item.route === 'POST /api/v1/auth/login');
      if (!login) throw new Error('no sign-in route');
      const wrong: string[] = [];
      for (const [text, code] of [
        [NUL, 'text_nul'],
        [LONE, 'text_lone_surrogate'],
      ] as const) {
        const body = { login: `miit${text}`, password: 'Monazite-demo-2026' };
        wrong.push(await check(login, context.anonymous, '/api/v1/auth/login', body, { code, field: 'login' }));
        const password = { login: 'miit', password: `Monazite-demo-2026${text}` };
        wrong.push(await check(login, context.anonymous, '/api/v1/auth/login', password, { code, field: 'password' }));
      }
      return wrong;
    });
  });

  it('refuses a NUL or a lone surrogate in every path parameter of every route', async () => {
    await unchangedAfter(async () => {
      const wrong: string[] = [];
      for (const operation of operations) {
        for (const name of operation.pathParams) {
          const client = callerOf(operation);
          wrong.push(
            await check(operation, client, urlOf(operation, { [name]: `a%00b` }), undefined, {
              code: 'text_nul',
              field: `params.${name}`,
            }),
          );
          // A path that does not decode is refused by the router, before it names the parameter.
          wrong.push(
            await check(operation, client, urlOf(operation, { [name]: `a${LONE_IN_URL}` }), undefined, {
              code: 'text_lone_surrogate',
              field: '(path)',
            }),
          );
        }
      }
      return wrong;
    });
  });

  it('refuses a NUL or a lone surrogate in every query parameter of every route', async () => {
    await unchangedAfter(async () => {
      const wrong: string[] = [];
      for (const operation of operations) {
        for (const { name } of operation.queryParams) {
          const client = callerOf(operation);
          const field = `querystring.${name}`;
          wrong.push(
            await check(operation, client, urlOf(operation, {}, `${name}=%00`), undefined, { code: 'text_nul', field }),
          );
          wrong.push(
            await check(operation, client, urlOf(operation, {}, `${name}=x${LONE_IN_URL}`), undefined, {
              code: 'text_lone_surrogate',
              field,
            }),
          );
        }
      }
      return wrong;
    });
  });

  it('refuses a NUL or a lone surrogate in a string field and in a key of every JSON body', async () => {
    await unchangedAfter(async () => {
      const wrong: string[] = [];
      for (const operation of operations) {
        if (!operation.body) continue;
        const client = callerOf(operation);
        const url = urlOf(operation);
        const path = stringFieldPath(operation.body) ?? ['text'];
        for (const [text, code] of [
          [NUL, 'text_nul'],
          [LONE, 'text_lone_surrogate'],
        ] as const) {
          wrong.push(await check(operation, client, url, bodyWith(path, `x${text}y`), { code, field: path.join('.') }));
          const key = `key${text}`;
          const printed = text === NUL ? 'key\\u0000' : 'key\\ud800';
          wrong.push(await check(operation, client, url, { [key]: 'x' }, { code, field: printed }));
        }
      }
      return wrong;
    });
  });

  it('refuses an EPCIS document with a NUL or a lone surrogate in an extension field or its name', async () => {
    await unchangedAfter(async () => {
      const capture = operations.find((item) => item.route === 'POST /epcis/capture');
      if (!capture) throw new Error('no capture route');
      const client = callerOf(capture);
      const wrong: string[] = [];
      const at = 'epcisBody.eventList.0';
      for (const [text, code, printed] of [
        [NUL, 'text_nul', '\\u0000'],
        [LONE, 'text_lone_surrogate', '\\ud800'],
      ] as const) {
        wrong.push(
          await check(capture, client, '/epcis/capture', epcisDocument('example:note', `a${text}`), {
            code,
            field: `${at}.example:note`,
          }),
        );
        wrong.push(
          await check(capture, client, '/epcis/capture', epcisDocument(`example:no${text}te`, 'a'), {
            code,
            field: `${at}.example:no${printed}te`,
          }),
        );
      }
      return wrong;
    });
  });

  it('refuses a JSON number beyond a double (1e400, parsed as Infinity) where flows and EPCIS read quantities', async () => {
    await unchangedAfter(async () => {
      const wrong: string[] = [];
      const cases = [
        {
          route: 'POST /api/v1/flows',
          url: '/api/v1/flows',
          text: '{"events":[{"mass_kg":1e400}]}',
          field: 'events.0.mass_kg',
        },
        {
          route: 'POST /epcis/capture',
          url: '/epcis/capture',
          text: JSON.stringify(epcisDocument('example:note', 'a')).replace(
            '"epcList":[]',
            '"epcList":[],"quantityList":[{"epcClass":"x","quantity":-1e400}]',
          ),
          field: 'epcisBody.eventList.0.quantityList.0.quantity',
        },
      ];
      for (const item of cases) {
        const operation = operations.find((candidate) => candidate.route === item.route);
        if (!operation) throw new Error(`no route ${item.route}`);
        const response = await callerOf(operation).request('POST', item.url, item.text, {
          'content-type': 'application/json',
        });
        if (response.statusCode !== 400) {
          wrong.push(`${item.route}: ${response.statusCode} ${response.body.slice(0, 200)}`);
          continue;
        }
        const problem = expectRefusalShape(response, isEpcis(operation));
        if (!isEpcis(operation) && problem.code !== 'number_not_finite')
          wrong.push(`${item.route}: ${problem.code ?? ''}`);
        if (!(problem.errors ?? []).some((error) => error.field === item.field))
          wrong.push(`${item.route}: fields ${JSON.stringify(problem.errors)}`);
      }
      return wrong;
    });
  });

  it('answers every PATCH that changes nothing with 422 empty_change', async () => {
    const patches = operations.filter((item) => item.method === 'PATCH');
    expect(patches.map((item) => item.route).sort()).toEqual([
      'PATCH /api/v1/enterprises/{id}',
      'PATCH /api/v1/products/{code}',
      'PATCH /api/v1/users/{id}',
    ]);
    const db = context.database.db;
    const enterprise = await db.selectFrom('enterprise').select(['id', 'version']).executeTakeFirstOrThrow();
    const product = await db.selectFrom('product').select(['code', 'version']).executeTakeFirstOrThrow();
    const user = await db
      .selectFrom('app_user')
      .select('id')
      .where('login', '=', 'ent.bayan')
      .executeTakeFirstOrThrow();
    const targets: Record<string, { value: string; version: number }> = {
      'PATCH /api/v1/enterprises/{id}': { value: enterprise.id, version: enterprise.version },
      'PATCH /api/v1/products/{code}': { value: product.code, version: product.version },
      'PATCH /api/v1/users/{id}': { value: user.id, version: 0 },
    };
    await unchangedAfter(async () => {
      const wrong: string[] = [];
      for (const operation of patches) {
        const client = callerOf(operation);
        const target = targets[operation.route];
        if (!target) throw new Error(`no target for ${operation.route}`);
        const url = urlOf(operation, { [operation.pathParams[0] ?? 'id']: target.value });
        // `{}` with what the schema requires to say which version is changed: the current version.
        const versioned = operation.body?.required?.includes('expected_version') === true;
        const body = versioned ? { expected_version: target.version } : {};
        const response = await client.patch(url, body);
        const where = `${operation.route} ${JSON.stringify(body)}`;
        if (response.statusCode !== 422) {
          wrong.push(`${where}: ${response.statusCode} ${response.body.slice(0, 200)}`);
          continue;
        }
        const problem = expectRefusalShape(response, false);
        if (problem.code !== 'empty_change') wrong.push(`${where}: code ${problem.code ?? ''}`);
        if (versioned) {
          // Without the version the schema refuses first: a 400 naming the field, not a 500.
          const bare = await client.patch(url, {});
          const fields = (expectRefusalShape(bare, false).errors ?? []).map((item) => item.field);
          if (bare.statusCode !== 400 || !fields.includes('expected_version'))
            wrong.push(`${operation.route} {}: ${bare.statusCode} ${bare.body.slice(0, 200)}`);
        }
      }
      return wrong;
    });
  });
});
