import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREDIT_CODE_ALPHABET, makeCreditCode } from '../../src/contracts/credit-code.rules.ts';
import { startTestApp, type Client, type TestContext } from '../support/app.ts';
import {
  countRows,
  demoEnterpriseIds,
  enterpriseVersion,
  expectFieldError,
  expectProblem,
  newEnterpriseBody,
  newProductBody,
  nextSerial,
  productVersion,
  rawSession,
  worldDigest,
  type DemoEnterpriseRow,
} from './api-helpers.ts';

/**
 * Bad input gets a 4xx application/problem+json that names the field, and nothing is written: the affected
 * table and the audit log have as many rows afterwards as before, and no registry row changed version.
 */

type Table = 'enterprise' | 'designation' | 'product' | 'app_user' | 'api_token' | 'enterprise_group';
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

interface Fixtures {
  context: TestContext;
  miit: Client;
  operator: Client;
  oversight: Client;
  enterprises: Record<string, DemoEnterpriseRow>;
  session: { cookie: string; csrf: string };
  designationOf(key: string, scope: 'mining' | 'separation'): Promise<string>;
}

interface BadCase {
  name: string;
  as?: 'miit' | 'operator' | 'oversight';
  method: Method;
  url: string | ((fx: Fixtures) => string | Promise<string>);
  body?: (fx: Fixtures) => unknown;
  /** A raw payload with its content type, for bodies that are not JSON. */
  raw?: { payload: string; contentType: string };
  /** Done before measuring: e.g. the first of two revocations. */
  setup?: (fx: Fixtures) => Promise<void>;
  table: Table;
  status: number;
  code?: string;
  /** The field errors[] must name, exactly as the server spells it. */
  field?: string;
  message?: RegExp;
}

const enterprise =
  (overrides: Record<string, unknown> = {}, remove: string[] = []) =>
  () => {
    const body: Record<string, unknown> = { ...newEnterpriseBody('150206'), ...overrides };
    for (const key of remove) delete body[key];
    return body;
  };
const validCode = (n = nextSerial()) => makeCreditCode('91', '150206', String(60_000_000 + n));
/** A valid code with the character at 1-based `position` replaced. */
const codeWith = (position: number, char: string) => {
  const code = validCode();
  return `${code.slice(0, position - 1)}${char}${code.slice(position)}`;
};
const wrongCheck = () => {
  const code = validCode();
  const last = code.charAt(17);
  const other = CREDIT_CODE_ALPHABET.charAt((CREDIT_CODE_ALPHABET.indexOf(last) + 1) % CREDIT_CODE_ALPHABET.length);
  return `${code.slice(0, 17)}${other}`;
};
const licence = (overrides: Record<string, unknown>) => ({
  kind: 'mining',
  number: 'C1500002026',
  valid_from: '2025-01-01',
  valid_to: '2030-12-31',
  ...overrides,
});
const securityProfile = (overrides: Record<string, unknown> = {}) => ({
  responsible_person: '测试',
  protection_level: 3,
  last_assessment_on: null,
  ...overrides,
});
const enterpriseId = (fx: Fixtures, key: string): string => {
  const row = fx.enterprises[key];
  if (!row) throw new Error(`no enterprise ${key}`);
  return row.id;
};
const patchBayan = (changes: Record<string, unknown>) => async (fx: Fixtures) => ({
  expected_version: await enterpriseVersion(fx.context.database.db, enterpriseId(fx, 'bayan')),
  ...changes,
});
const product =
  (overrides: Record<string, unknown> = {}, remove: string[] = []) =>
  () => {
    const body: Record<string, unknown> = { ...newProductBody(), ...overrides };
    for (const key of remove) delete body[key];
    return body;
  };
const MISSING = '00000000-0000-4000-8000-000000000000';

const enterpriseCreateCases: BadCase[] = [
  {
    name: 'malformed JSON',
    method: 'POST',
    url: '/api/v1/enterprises',
    raw: { payload: '{"credit_code": "91150206', contentType: 'application/json' },
    table: 'enterprise',
    status: 400,
    code: 'bad_request',
  },
  {
    name: 'an empty JSON body',
    method: 'POST',
    url: '/api/v1/enterprises',
    raw: { payload: '', contentType: 'application/json' },
    table: 'enterprise',
    status: 400,
    code: 'bad_request',
  },
  {
    name: 'a JSON array instead of an object',
    method: 'POST',
    url: '/api/v1/enterprises',
    raw: { payload: '[]', contentType: 'application/json' },
    table: 'enterprise',
    status: 400,
    code: 'validation',
    field: '(body)',
  },
  {
    name: 'JSON null',
    method: 'POST',
    url: '/api/v1/enterprises',
    raw: { payload: 'null', contentType: 'application/json' },
    table: 'enterprise',
    status: 400,
    code: 'validation',
    field: '(body)',
  },
  {
    name: 'a string for a kg quantity',
    method: 'POST',
    url: '/api/v1/enterprises',
    body: enterprise({ mining_capacity_reo_kg_per_year: '1000' }),
    table: 'enterprise',
    status: 400,
    code: 'validation',
    field: 'mining_capacity_reo_kg_per_year',
  },
  {
    name: 'a fractional kg quantity (1.5)',
    method: 'POST',
    url: '/api/v1/enterprises',
    body: enterprise({ mining_capacity_reo_kg_per_year: 1.5 }),
    table: 'enterprise',
    status: 400,
    code: 'validation',
    field: 'mining_capacity_reo_kg_per_year',
    message: /int/,
  },
  {
    name: 'a negative kg quantity',
    method: 'POST',
    url: '/api/v1/enterprises',
    body: enterprise({ separation_capacity_reo_kg_per_year: -1 }),
    table: 'enterprise',
    status: 400,
    code: 'validation',
    field: 'separation_capacity_reo_kg_per_year',
    message: />=\s*0/,
  },
  {
    name: 'a kg quantity beyond what JSON numbers hold exactly',
    method: 'POST',
    url: '/api/v1/enterprises',
    body: enterprise({ mining_capacity_reo_kg_per_year: 2 ** 53 }),
    table: 'enterprise',
    status: 400,
    code: 'validation',
    field: 'mining_capacity_reo_kg_per_year',
  },
  {
    name: 'a score above 100',
    method: 'POST',
    url: '/api/v1/enterprises',
    body: enterprise({ technical_score: 101 }),
    table: 'enterprise',
    status: 400,
    code: 'validation',
    field: 'technical_score',
  },
  {
    name: 'an unknown kind',
    method: 'POST',
    url: '/api/v1/enterprises',
    body: enterprise({ kind: 'smelting' }),
    table: 'enterprise',
    status: 400,
    code: 'validation',
    field: 'kind',
  },
  {
    name: 'a name of 201 characters',
    method: 'POST',
    url: '/api/v1/enterprises',
    body: enterprise({ name: '稀'.repeat(201) }),
    table: 'enterprise',
    status: 400,
    code: 'validation',
    field: 'name',
  },
  {
    name: 'a missing required field (name)',
    method: 'POST',
    url: '/api/v1/enterprises',
    body: enterprise({}, ['name']),
    table: 'enterprise',
    status: 400,
    code: 'validation',
    field: 'name',
  },
  {
    name: 'a missing nested field',
    method: 'POST',
    url: '/api/v1/enterprises',
    body: enterprise({ security_profile: { protection_level: 3, last_assessment_on: null } }),
    table: 'enterprise',
    status: 400,
    code: 'validation',
    field: 'security_profile.responsible_person',
  },
  {
    name: 'an unknown top-level field',
    method: 'POST',
    url: '/api/v1/enterprises',
    body: enterprise({ approved: true }),
    table: 'enterprise',
    status: 400,
    code: 'validation',
    field: 'approved',
    message: /unknown field/,
  },
  {
    name: 'an unknown field in a licence',
    method: 'POST',
    url: '/api/v1/enterprises',
    body: enterprise({ licences: [licence({ issuer: 'x' })] }),
    table: 'enterprise',
    status: 400,
    code: 'validation',
    field: 'licences.0.issuer',
    message: /unknown field/,
  },
  {
    name: 'an unknown field in the security profile',
    method: 'POST',
    url: '/api/v1/enterprises',
    body: enterprise({ security_profile: securityProfile({ firewall: true }) }),
    table: 'enterprise',
    status: 400,
    code: 'validation',
    field: 'security_profile.firewall',
    message: /unknown field/,
  },
  {
    name: 'a credit code of 17 characters',
    method: 'POST',
    url: '/api/v1/enterprises',
    body: () => ({ ...newEnterpriseBody('150206'), credit_code: validCode().slice(0, 17) }),
    table: 'enterprise',
    status: 400,
    code: 'validation',
    field: 'credit_code',
    message: /18 characters, found 17/,
  },
  {
    name: 'a credit code of 19 characters',
    method: 'POST',
    url: '/api/v1/enterprises',
    body: () => ({ ...newEnterpriseBody('150206'), credit_code: `${validCode()}1` }),
    table: 'enterprise',
    status: 400,
    code: 'validation',
    field: 'credit_code',
    message: /18 characters, found 19/,
  },
  ...(['I', 'O', 'Z', 'S', 'V'] as const).map((letter, index): BadCase => ({
    name: `a credit code with the forbidden letter ${letter}`,
    method: 'POST',
    url: '/api/v1/enterprises',
    body: () => ({ ...newEnterpriseBody('150206'), credit_code: codeWith(10 + index, letter) }),
    table: 'enterprise',
    status: 400,
    code: 'validation',
    field: 'credit_code',
    message: new RegExp(`character ${10 + index} \\('${letter}'\\) is not allowed`),
  })),
  {
    name: 'a credit code with a letter among the division digits',
    method: 'POST',
    url: '/api/v1/enterprises',
    body: () => ({ ...newEnterpriseBody('150206'), credit_code: codeWith(4, 'A') }),
    table: 'enterprise',
    status: 400,
    code: 'validation',
    field: 'credit_code',
    message: /character 4/,
  },
  {
    name: 'a credit code failing the organisation code check',
    method: 'POST',
    url: '/api/v1/enterprises',
    body: () => ({ ...newEnterpriseBody('150206'), credit_code: codeWith(12, '9') }),
    table: 'enterprise',
    status: 400,
    code: 'validation',
    field: 'credit_code',
    message: /character 17/,
  },
  {
    name: 'a credit code with a wrong check character',
    method: 'POST',
    url: '/api/v1/enterprises',
    body: () => ({ ...newEnterpriseBody('150206'), credit_code: wrongCheck() }),
    table: 'enterprise',
    status: 400,
    code: 'validation',
    field: 'credit_code',
    message: /check character 18/,
  },
  {
    name: 'a domicile that is a province',
    method: 'POST',
    url: '/api/v1/enterprises',
    body: enterprise({ domicile_code: '150000' }),
    table: 'enterprise',
    status: 422,
    code: 'invalid',
    field: 'domicile_code',
    message: /province.*county/,
  },
  {
    name: 'a domicile that is a prefecture',
    method: 'POST',
    url: '/api/v1/enterprises',
    body: enterprise({ domicile_code: '150200' }),
    table: 'enterprise',
    status: 422,
    code: 'invalid',
    field: 'domicile_code',
    message: /prefecture.*county/,
  },
  {
    name: 'an unknown domicile',
    method: 'POST',
    url: '/api/v1/enterprises',
    body: enterprise({ domicile_code: '159999' }),
    table: 'enterprise',
    status: 422,
    code: 'invalid',
    field: 'domicile_code',
    message: /no administrative division 159999/,
  },
  {
    name: 'a domicile of 5 digits',
    method: 'POST',
    url: '/api/v1/enterprises',
    body: enterprise({ domicile_code: '15020' }),
    table: 'enterprise',
    status: 400,
    code: 'validation',
    field: 'domicile_code',
  },
  {
    name: 'an unknown group',
    method: 'POST',
    url: '/api/v1/enterprises',
    body: enterprise({ group_id: 'no-such-group' }),
    table: 'enterprise',
    status: 422,
    code: 'invalid',
    field: 'group_id',
  },
  {
    name: 'a licence ending before it starts',
    method: 'POST',
    url: '/api/v1/enterprises',
    body: enterprise({ licences: [licence({ valid_from: '2026-01-01', valid_to: '2025-12-31' })] }),
    table: 'enterprise',
    status: 400,
    code: 'validation',
    field: 'licences.0.valid_to',
  },
  {
    name: 'a second licence with an impossible date',
    method: 'POST',
    url: '/api/v1/enterprises',
    body: enterprise({ licences: [licence({}), licence({ valid_from: '2025-02-30' })] }),
    table: 'enterprise',
    status: 400,
    code: 'validation',
    field: 'licences.1.valid_from',
  },
  {
    name: 'a protection level of 6',
    method: 'POST',
    url: '/api/v1/enterprises',
    body: enterprise({ security_profile: securityProfile({ protection_level: 6 }) }),
    table: 'enterprise',
    status: 400,
    code: 'validation',
    field: 'security_profile.protection_level',
  },
  {
    name: 'a registered credit code with other terms',
    method: 'POST',
    url: '/api/v1/enterprises',
    body: (fx) => {
      const bayan = fx.enterprises.bayan!;
      return { ...newEnterpriseBody('150206'), credit_code: bayan.credit_code };
    },
    table: 'enterprise',
    status: 409,
    code: 'conflict',
    field: 'credit_code',
  },
];

const enterpriseChangeCases: BadCase[] = [
  {
    name: 'a stale expected_version',
    method: 'PATCH',
    url: (fx) => `/api/v1/enterprises/${enterpriseId(fx, 'bayan')}`,
    body: async (fx) => ({
      expected_version: (await enterpriseVersion(fx.context.database.db, enterpriseId(fx, 'bayan'))) - 1,
      name: '过期版本',
    }),
    setup: async (fx) => {
      // Make sure there is an older version to be stale against.
      const id = enterpriseId(fx, 'bayan');
      const response = await fx.miit.patch(`/api/v1/enterprises/${id}`, {
        expected_version: await enterpriseVersion(fx.context.database.db, id),
        safety_score: 91,
      });
      expect(response.statusCode).toBe(200);
    },
    table: 'enterprise',
    status: 409,
    code: 'conflict',
    field: 'expected_version',
    message: /stale/,
  },
  {
    name: 'a PATCH without expected_version',
    method: 'PATCH',
    url: (fx) => `/api/v1/enterprises/${enterpriseId(fx, 'bayan')}`,
    body: () => ({ name: '无版本' }),
    table: 'enterprise',
    status: 400,
    code: 'validation',
    field: 'expected_version',
  },
  {
    name: 'a PATCH of the credit code (not changeable)',
    method: 'PATCH',
    url: (fx) => `/api/v1/enterprises/${enterpriseId(fx, 'bayan')}`,
    body: patchBayan({ credit_code: validCode() }),
    table: 'enterprise',
    status: 400,
    code: 'validation',
    field: 'credit_code',
    message: /unknown field/,
  },
  {
    name: 'a PATCH with a fractional kg quantity',
    method: 'PATCH',
    url: (fx) => `/api/v1/enterprises/${enterpriseId(fx, 'bayan')}`,
    body: patchBayan({ mining_capacity_reo_kg_per_year: 1.5 }),
    table: 'enterprise',
    status: 400,
    code: 'validation',
    field: 'mining_capacity_reo_kg_per_year',
  },
  {
    name: 'a PATCH moving the domicile to a prefecture',
    method: 'PATCH',
    url: (fx) => `/api/v1/enterprises/${enterpriseId(fx, 'bayan')}`,
    body: patchBayan({ domicile_code: '150200' }),
    table: 'enterprise',
    status: 422,
    code: 'invalid',
    field: 'domicile_code',
  },
  {
    name: 'a PATCH with a licence ending before it starts',
    method: 'PATCH',
    url: (fx) => `/api/v1/enterprises/${enterpriseId(fx, 'bayan')}`,
    body: patchBayan({ licences: [licence({}), licence({ valid_from: '2026-01-01', valid_to: '2025-01-01' })] }),
    table: 'enterprise',
    status: 400,
    code: 'validation',
    field: 'licences.1.valid_to',
  },
  {
    name: 'a PATCH of an enterprise that does not exist',
    method: 'PATCH',
    url: `/api/v1/enterprises/${MISSING}`,
    body: () => ({ expected_version: 1, name: '不存在' }),
    table: 'enterprise',
    status: 404,
    code: 'not_found',
  },
  {
    name: 'a PATCH with a bad uuid in the path',
    method: 'PATCH',
    url: '/api/v1/enterprises/not-a-uuid',
    body: () => ({ expected_version: 1 }),
    table: 'enterprise',
    status: 400,
    code: 'validation',
    field: 'params.id',
  },
  {
    name: 'a security profile with a stale version',
    method: 'PUT',
    url: (fx) => `/api/v1/enterprises/${enterpriseId(fx, 'bayan')}/security-profile`,
    body: async (fx: Fixtures) => ({
      expected_version: (await enterpriseVersion(fx.context.database.db, enterpriseId(fx, 'bayan'))) + 1,
      security_profile: securityProfile(),
    }),
    table: 'enterprise',
    status: 409,
    code: 'conflict',
    field: 'expected_version',
  },
  {
    name: 'a security profile with an impossible assessment date',
    method: 'PUT',
    url: (fx) => `/api/v1/enterprises/${enterpriseId(fx, 'bayan')}/security-profile`,
    body: patchBayan({ security_profile: securityProfile({ last_assessment_on: 'yesterday' }) }),
    table: 'enterprise',
    status: 400,
    code: 'validation',
    field: 'security_profile.last_assessment_on',
  },
];

/** The revocation URL of a demo designation, known only once the database is there. */
const revokeUrl = (key: string, scope: 'mining' | 'separation') => async (fx: Fixtures) =>
  `/api/v1/designations/${await fx.designationOf(key, scope)}/revoke`;

const designationCases: BadCase[] = [
  {
    name: 'a designation for a scope the enterprise kind does not cover',
    method: 'POST',
    url: '/api/v1/designations',
    body: (fx) => ({
      enterprise_id: enterpriseId(fx, 'bayan'),
      scope: 'separation',
      document_no: `X-${nextSerial()}`,
      effective_on: '2026-01-01',
    }),
    table: 'designation',
    status: 422,
    code: 'invalid',
    field: 'scope',
    message: /mining enterprise/,
  },
  {
    name: 'a designation of an enterprise that does not exist',
    method: 'POST',
    url: '/api/v1/designations',
    body: () => ({
      enterprise_id: MISSING,
      scope: 'mining',
      document_no: `X-${nextSerial()}`,
      effective_on: '2026-01-01',
    }),
    table: 'designation',
    status: 422,
    code: 'invalid',
    field: 'enterprise_id',
  },
  {
    name: 'a designation with a bad enterprise uuid',
    method: 'POST',
    url: '/api/v1/designations',
    body: () => ({ enterprise_id: 'bayan', scope: 'mining', document_no: 'X', effective_on: '2026-01-01' }),
    table: 'designation',
    status: 400,
    code: 'validation',
    field: 'enterprise_id',
  },
  {
    name: 'a designation with an impossible date',
    method: 'POST',
    url: '/api/v1/designations',
    body: (fx) => ({
      enterprise_id: enterpriseId(fx, 'lincang'),
      scope: 'mining',
      document_no: 'X',
      effective_on: '2026-02-30',
    }),
    table: 'designation',
    status: 400,
    code: 'validation',
    field: 'effective_on',
  },
  {
    name: 'a designation with an unknown scope',
    method: 'POST',
    url: '/api/v1/designations',
    body: (fx) => ({
      enterprise_id: enterpriseId(fx, 'lincang'),
      scope: 'smelting',
      document_no: 'X',
      effective_on: '2026-01-01',
    }),
    table: 'designation',
    status: 400,
    code: 'validation',
    field: 'scope',
  },
  {
    name: 'a designation with a blank document number',
    method: 'POST',
    url: '/api/v1/designations',
    body: (fx) => ({
      enterprise_id: enterpriseId(fx, 'lincang'),
      scope: 'mining',
      document_no: '   ',
      effective_on: '2026-01-01',
    }),
    table: 'designation',
    status: 400,
    code: 'validation',
    field: 'document_no',
  },
  {
    name: 'a second designation over an active one',
    method: 'POST',
    url: '/api/v1/designations',
    body: (fx) => ({
      enterprise_id: enterpriseId(fx, 'kundulun'),
      scope: 'separation',
      document_no: `X-${nextSerial()}`,
      effective_on: '2026-01-01',
    }),
    table: 'designation',
    status: 409,
    code: 'conflict',
    field: 'scope',
  },
  {
    name: 'revoking a designation twice',
    method: 'POST',
    url: revokeUrl('xinfeng', 'separation'),
    body: () => ({ revoked_on: '2026-07-31', revocation_document_no: '工信部原函〔2026〕2号', reason: '再次撤销' }),
    setup: async (fx) => {
      const id = await fx.designationOf('xinfeng', 'separation');
      const first = await fx.miit.post(`/api/v1/designations/${id}/revoke`, {
        revoked_on: '2026-06-30',
        revocation_document_no: '工信部原函〔2026〕1号',
        reason: '许可证过期',
      });
      expect(first.statusCode, first.body).toBe(200);
      expect(first.json<{ status: string }>().status).toBe('revoked');
    },
    table: 'designation',
    status: 409,
    code: 'conflict',
  },
  {
    name: 'a revocation before the designation took effect',
    method: 'POST',
    url: revokeUrl('dingnan', 'separation'),
    body: async (fx: Fixtures) => {
      // The day before the designation took effect, whatever the demo data says that is.
      const row = await fx.context.database.db
        .selectFrom('designation')
        .select('effective_on')
        .where('id', '=', await fx.designationOf('dingnan', 'separation'))
        .executeTakeFirstOrThrow();
      const dayBefore = new Date(`${String(row.effective_on)}T00:00:00Z`);
      dayBefore.setUTCDate(dayBefore.getUTCDate() - 1);
      return { revoked_on: dayBefore.toISOString().slice(0, 10), revocation_document_no: 'X', reason: '早于生效日' };
    },
    table: 'designation',
    status: 422,
    code: 'invalid',
    field: 'revoked_on',
  },
  {
    name: 'a revocation without a reason',
    method: 'POST',
    url: revokeUrl('dingnan', 'separation'),
    body: () => ({ revoked_on: '2026-06-30', revocation_document_no: 'X' }),
    table: 'designation',
    status: 400,
    code: 'validation',
    field: 'reason',
  },
  {
    name: 'a revocation of a designation that does not exist',
    method: 'POST',
    url: `/api/v1/designations/${MISSING}/revoke`,
    body: () => ({ revoked_on: '2026-06-30', revocation_document_no: 'X', reason: 'x' }),
    table: 'designation',
    status: 404,
    code: 'not_found',
  },
];
const productCases: BadCase[] = [
  {
    name: "a 'factor' product with reo_factor_ppm null",
    method: 'POST',
    url: '/api/v1/products',
    body: product({ conversion: 'factor', reo_factor_ppm: null }),
    table: 'product',
    status: 400,
    code: 'validation',
    field: 'reo_factor_ppm',
  },
  {
    name: "a 'factor' product without reo_factor_ppm",
    method: 'POST',
    url: '/api/v1/products',
    body: product({ conversion: 'factor' }, ['reo_factor_ppm']),
    table: 'product',
    status: 400,
    code: 'validation',
    field: 'reo_factor_ppm',
  },
  {
    name: "an 'assay' product with a factor",
    method: 'POST',
    url: '/api/v1/products',
    body: product({ conversion: 'assay', reo_factor_ppm: 900_000 }),
    table: 'product',
    status: 400,
    code: 'validation',
    field: 'reo_factor_ppm',
  },
  {
    name: 'a factor of 0 ppm',
    method: 'POST',
    url: '/api/v1/products',
    body: product({ reo_factor_ppm: 0 }),
    table: 'product',
    status: 400,
    code: 'validation',
    field: 'reo_factor_ppm',
  },
  {
    name: 'a fractional factor',
    method: 'POST',
    url: '/api/v1/products',
    body: product({ reo_factor_ppm: 1.5 }),
    table: 'product',
    status: 400,
    code: 'validation',
    field: 'reo_factor_ppm',
  },
  {
    name: 'a lower-case product code',
    method: 'POST',
    url: '/api/v1/products',
    body: product({ code: 'nd_oxide' }),
    table: 'product',
    status: 400,
    code: 'validation',
    field: 'code',
  },
  {
    name: 'an existing product code with other terms',
    method: 'POST',
    url: '/api/v1/products',
    body: product({ code: 'ND2O3' }),
    table: 'product',
    status: 409,
    code: 'conflict',
    field: 'code',
  },
  {
    name: 'a product PATCH with a stale version',
    method: 'PATCH',
    url: '/api/v1/products/TB4O7',
    body: async (fx) => ({
      expected_version: (await productVersion(fx.context.database.db, 'TB4O7')) + 1,
      name_en: 'Terbium',
    }),
    table: 'product',
    status: 409,
    code: 'conflict',
    field: 'expected_version',
  },
  {
    name: "a product PATCH removing the factor of a 'factor' product",
    method: 'PATCH',
    url: '/api/v1/products/TB4O7',
    body: async (fx) => ({
      expected_version: await productVersion(fx.context.database.db, 'TB4O7'),
      reo_factor_ppm: null,
    }),
    table: 'product',
    status: 422,
    code: 'invalid',
    field: 'reo_factor_ppm',
  },
  {
    name: "a product PATCH to 'factor' without a factor",
    method: 'PATCH',
    url: '/api/v1/products/ION_CARBONATE',
    body: async (fx) => ({
      expected_version: await productVersion(fx.context.database.db, 'ION_CARBONATE'),
      conversion: 'factor',
    }),
    table: 'product',
    status: 400,
    code: 'validation',
    field: 'reo_factor_ppm',
  },
  {
    name: 'a product PATCH with an unknown field',
    method: 'PATCH',
    url: '/api/v1/products/TB4O7',
    body: async (fx) => ({ expected_version: await productVersion(fx.context.database.db, 'TB4O7'), colour: 'brown' }),
    table: 'product',
    status: 400,
    code: 'validation',
    field: 'colour',
    message: /unknown field/,
  },
  {
    name: 'a product code of 40 characters in the path',
    method: 'PATCH',
    url: `/api/v1/products/${'A'.repeat(40)}`,
    body: () => ({ expected_version: 1 }),
    table: 'product',
    status: 400,
    code: 'validation',
    field: 'params.code',
  },
  {
    name: 'a product that does not exist',
    method: 'PATCH',
    url: '/api/v1/products/NO_SUCH_PRODUCT',
    body: () => ({ expected_version: 1, name_en: 'x' }),
    table: 'product',
    status: 404,
    code: 'not_found',
  },
  {
    name: 'a group id with capitals and spaces',
    method: 'POST',
    url: '/api/v1/groups',
    body: () => ({ id: 'Bad Group', name: '坏集团' }),
    table: 'enterprise_group',
    status: 400,
    code: 'validation',
    field: 'id',
  },
  {
    name: 'a group id that is taken',
    method: 'POST',
    url: '/api/v1/groups',
    body: () => ({ id: 'northern', name: '另一个北方集团' }),
    table: 'enterprise_group',
    status: 409,
    code: 'conflict',
    field: 'id',
  },
];

const newUser =
  (overrides: Record<string, unknown> = {}) =>
  () => ({
    login: `bad.input${nextSerial()}`,
    display_name: '测试',
    password: 'Test-password-2026',
    role: 'oversight',
    ...overrides,
  });
const userCases: BadCase[] = [
  {
    name: 'a password of 11 characters',
    as: 'operator',
    method: 'POST',
    url: '/api/v1/users',
    body: newUser({ password: 'Short-pw-11' }),
    table: 'app_user',
    status: 422,
    code: 'password_policy',
    field: 'password',
    message: /password policy: length/,
  },
  {
    name: 'a password of one character class and a symbol (two of four)',
    as: 'operator',
    method: 'POST',
    url: '/api/v1/users',
    body: newUser({ password: 'only-letters-here' }),
    table: 'app_user',
    status: 422,
    code: 'password_policy',
    field: 'password',
    message: /password policy: classes/,
  },
  {
    name: 'a login with capitals and spaces',
    as: 'operator',
    method: 'POST',
    url: '/api/v1/users',
    body: newUser({ login: 'Bad Login' }),
    table: 'app_user',
    status: 400,
    code: 'validation',
    field: 'login',
  },
  {
    name: 'a login that is taken',
    as: 'operator',
    method: 'POST',
    url: '/api/v1/users',
    body: newUser({ login: 'miit' }),
    table: 'app_user',
    status: 409,
    code: 'conflict',
    field: 'login',
  },
  {
    name: 'an unknown role',
    as: 'operator',
    method: 'POST',
    url: '/api/v1/users',
    body: newUser({ role: 'admin' }),
    table: 'app_user',
    status: 400,
    code: 'validation',
    field: 'role',
  },
  {
    name: 'a department official without an authority',
    as: 'operator',
    method: 'POST',
    url: '/api/v1/users',
    body: newUser({ role: 'department_official' }),
    table: 'app_user',
    status: 422,
    code: 'invalid',
    field: 'authority_id',
  },
  {
    name: 'a ministry official at a local department',
    as: 'operator',
    method: 'POST',
    url: '/api/v1/users',
    body: newUser({ role: 'ministry_official', authority_id: '150200-industry_it' }),
    table: 'app_user',
    status: 422,
    code: 'invalid',
    field: 'authority_id',
  },
  {
    name: 'an unknown authority',
    as: 'operator',
    method: 'POST',
    url: '/api/v1/users',
    body: newUser({ role: 'department_official', authority_id: '999900-industry_it' }),
    table: 'app_user',
    status: 422,
    code: 'invalid',
    field: 'authority_id',
  },
  {
    name: 'an enterprise user without an enterprise',
    as: 'operator',
    method: 'POST',
    url: '/api/v1/users',
    body: newUser({ role: 'enterprise_user' }),
    table: 'app_user',
    status: 422,
    code: 'invalid',
    field: 'enterprise_id',
  },
  {
    name: 'an enterprise user of an enterprise that does not exist',
    as: 'operator',
    method: 'POST',
    url: '/api/v1/users',
    body: newUser({ role: 'enterprise_user', enterprise_id: MISSING }),
    table: 'app_user',
    status: 422,
    code: 'invalid',
    field: 'enterprise_id',
  },
  {
    name: 'an oversight user attached to an enterprise',
    as: 'operator',
    method: 'POST',
    url: '/api/v1/users',
    body: (fx) => newUser({ enterprise_id: enterpriseId(fx, 'bayan') })(),
    table: 'app_user',
    status: 422,
    code: 'invalid',
    field: 'enterprise_id',
  },
  {
    name: 'unlock: false',
    as: 'operator',
    method: 'PATCH',
    url: `/api/v1/users/${MISSING}`,
    body: () => ({ unlock: false }),
    table: 'app_user',
    status: 400,
    code: 'validation',
    field: 'unlock',
  },
  {
    name: 'a PATCH of a user that does not exist',
    as: 'operator',
    method: 'PATCH',
    url: `/api/v1/users/${MISSING}`,
    body: () => ({ display_name: 'x' }),
    table: 'app_user',
    status: 404,
    code: 'not_found',
  },
  {
    name: 'a token that expires in 0 days',
    method: 'POST',
    url: '/api/v1/auth/tokens',
    body: () => ({ name: 'x', expires_in_days: 0 }),
    table: 'api_token',
    status: 400,
    code: 'validation',
    field: 'expires_in_days',
  },
  {
    name: 'a token that expires in 367 days',
    method: 'POST',
    url: '/api/v1/auth/tokens',
    body: () => ({ name: 'x', expires_in_days: 367 }),
    table: 'api_token',
    status: 400,
    code: 'validation',
    field: 'expires_in_days',
  },
  {
    name: 'a token with a blank name',
    method: 'POST',
    url: '/api/v1/auth/tokens',
    body: () => ({ name: '   ' }),
    table: 'api_token',
    status: 400,
    code: 'validation',
    field: 'name',
  },
  {
    name: 'revoking a token with a bad uuid',
    method: 'DELETE',
    url: '/api/v1/auth/tokens/abc',
    table: 'api_token',
    status: 400,
    code: 'validation',
    field: 'params.id',
  },
];

const queryCases: BadCase[] = [
  ...['/api/v1/enterprises', '/api/v1/designations', '/api/v1/products'].map((path): BadCase => ({
    name: `page_size over 200 on ${path}`,
    method: 'GET',
    url: `${path}?page_size=201`,
    table: 'enterprise',
    status: 400,
    code: 'validation',
    field: 'querystring.page_size',
    message: /200/,
  })),
  {
    name: 'page_size over 200 on /users',
    as: 'operator',
    method: 'GET',
    url: '/api/v1/users?page_size=500',
    table: 'app_user',
    status: 400,
    code: 'validation',
    field: 'querystring.page_size',
  },
  {
    name: 'limit over 200 on /audit',
    as: 'oversight',
    method: 'GET',
    url: '/api/v1/audit?limit=201',
    table: 'enterprise',
    status: 400,
    code: 'validation',
    field: 'querystring.limit',
  },
  {
    name: 'page 0',
    method: 'GET',
    url: '/api/v1/enterprises?page=0',
    table: 'enterprise',
    status: 400,
    code: 'validation',
    field: 'querystring.page',
  },
  {
    name: 'a page_size that is not a number',
    method: 'GET',
    url: '/api/v1/enterprises?page_size=many',
    table: 'enterprise',
    status: 400,
    code: 'validation',
    field: 'querystring.page_size',
  },
  {
    name: 'an unknown kind filter',
    method: 'GET',
    url: '/api/v1/enterprises?kind=smelting',
    table: 'enterprise',
    status: 400,
    code: 'validation',
    field: 'querystring.kind',
  },
  {
    name: 'a division filter of 2 digits',
    method: 'GET',
    url: '/api/v1/enterprises?division=15',
    table: 'enterprise',
    status: 400,
    code: 'validation',
    field: 'querystring.division',
  },
  {
    name: 'an unknown designation status',
    method: 'GET',
    url: '/api/v1/designations?status=expired',
    table: 'designation',
    status: 400,
    code: 'validation',
    field: 'querystring.status',
  },
  {
    name: 'a designation filter with a bad uuid',
    method: 'GET',
    url: '/api/v1/designations?enterprise_id=bayan',
    table: 'designation',
    status: 400,
    code: 'validation',
    field: 'querystring.enterprise_id',
  },
  {
    name: 'an unknown query parameter where the query is strict',
    method: 'GET',
    url: '/api/v1/divisions?province=15',
    table: 'enterprise',
    status: 400,
    code: 'validation',
    field: 'querystring.province',
    message: /unknown field/,
  },
  {
    name: 'a bad uuid in the enterprise path',
    method: 'GET',
    url: '/api/v1/enterprises/not-a-uuid',
    table: 'enterprise',
    status: 400,
    code: 'validation',
    field: 'params.id',
  },
  {
    name: 'a bad uuid in the history path',
    method: 'GET',
    url: '/api/v1/enterprises/123/history',
    table: 'enterprise',
    status: 400,
    code: 'validation',
    field: 'params.id',
  },
  {
    name: 'a bad uuid in the designation path',
    method: 'GET',
    url: '/api/v1/designations/123',
    table: 'designation',
    status: 400,
    code: 'validation',
    field: 'params.id',
  },
  {
    name: 'a bad uuid in the user path',
    as: 'operator',
    method: 'GET',
    url: '/api/v1/users/123',
    table: 'app_user',
    status: 400,
    code: 'validation',
    field: 'params.id',
  },
  {
    name: 'a division code of 4 digits in the path',
    method: 'GET',
    url: '/api/v1/divisions/1502',
    table: 'enterprise',
    status: 400,
    code: 'validation',
    field: 'params.code',
  },
  {
    name: 'a division that does not exist',
    method: 'GET',
    url: '/api/v1/divisions/159999',
    table: 'enterprise',
    status: 404,
    code: 'not_found',
  },
  {
    name: 'a login without a password',
    method: 'POST',
    url: '/api/v1/auth/login',
    body: () => ({ login: 'miit' }),
    table: 'app_user',
    status: 400,
    code: 'validation',
    field: 'password',
  },
  {
    name: 'a login name of 65 characters',
    method: 'POST',
    url: '/api/v1/auth/login',
    body: () => ({ login: 'a'.repeat(65), password: 'x' }),
    table: 'app_user',
    status: 400,
    code: 'validation',
    field: 'login',
  },
];

const allCases: BadCase[] = [
  ...enterpriseCreateCases,
  ...enterpriseChangeCases,
  ...designationCases,
  ...productCases,
  ...userCases,
  ...queryCases,
];

describe('bad input', () => {
  const fx = {} as Fixtures;
  let context: TestContext;

  beforeAll(async () => {
    context = await startTestApp();
    fx.context = context;
    fx.miit = await context.as('miit');
    fx.operator = await context.as('operator');
    fx.oversight = await context.as('oversight');
    fx.enterprises = await demoEnterpriseIds(context.database.db);
    fx.session = await rawSession(context, 'miit');
    fx.designationOf = async (key, scope) => {
      const row = await context.database.db
        .selectFrom('designation')
        .select('id')
        .where('enterprise_id', '=', enterpriseId(fx, key))
        .where('scope', '=', scope)
        .executeTakeFirstOrThrow();
      return row.id;
    };
  });
  afterAll(async () => context.close());

  it.each(allCases.map((item) => [item.name, item] as const))('%s', async (_name, item) => {
    const db = context.database.db;
    await item.setup?.(fx);
    const url = typeof item.url === 'function' ? await item.url(fx) : item.url;
    const body = item.body ? await item.body(fx) : undefined;
    const rowsBefore = await countRows(db, item.table);
    const auditBefore = await countRows(db, 'audit_entry');
    const digestBefore = await worldDigest(db);
    const response = item.raw
      ? await context.app.inject({
          method: item.method,
          url,
          headers: { cookie: fx.session.cookie, 'x-csrf-token': fx.session.csrf, 'content-type': item.raw.contentType },
          payload: item.raw.payload,
        })
      : await fx[item.as ?? 'miit'].request(item.method, url, body);
    const problem = expectProblem(response, item.status, item.code);
    expect(problem.type).toMatch(/^https:\/\//);
    expect(problem.instance).toBe(url);
    if (item.field) {
      // Soft, so that a wrongly named field still lets the "nothing written" checks below run.
      const named = (problem.errors ?? []).find((error) => error.field === item.field);
      expect.soft(named, `errors[].field names ${item.field}: ${response.body}`).toBeDefined();
      if (named && item.message) expect.soft(named.message).toMatch(item.message);
      // Every field error names a field and says something about it.
      for (const error of problem.errors ?? []) {
        expect(error.field.length).toBeGreaterThan(0);
        expect(error.message.length).toBeGreaterThan(0);
      }
    }
    expect(await countRows(db, item.table), `${item.table} rows`).toBe(rowsBefore);
    expect(await countRows(db, 'audit_entry'), 'audit entries').toBe(auditBefore);
    expect(await worldDigest(db), 'no registry row, user or token changed').toBe(digestBefore);
  });

  it('an oversized body (1.1 MB, over the 1 MiB limit) gets 413 and writes nothing', async () => {
    const db = context.database.db;
    const before = { enterprises: await countRows(db, 'enterprise'), audit: await countRows(db, 'audit_entry') };
    const body = { ...newEnterpriseBody('150206'), name: '稀'.repeat(380_000) }; // 3 bytes each in UTF-8
    const payload = JSON.stringify(body);
    expect(Buffer.byteLength(payload)).toBeGreaterThan(1_100_000);
    const response = await context.app.inject({
      method: 'POST',
      url: '/api/v1/enterprises',
      headers: { cookie: fx.session.cookie, 'x-csrf-token': fx.session.csrf, 'content-type': 'application/json' },
      payload,
    });
    expectProblem(response, 413, 'body_too_large');
    expect({ enterprises: await countRows(db, 'enterprise'), audit: await countRows(db, 'audit_entry') }).toEqual(
      before,
    );
  });

  it('a body just under the limit is read (and then judged on its content)', async () => {
    const body = { ...newEnterpriseBody('150206'), name: '稀'.repeat(340_000) };
    expect(Buffer.byteLength(JSON.stringify(body))).toBeLessThan(1_048_576);
    const response = await fx.miit.post('/api/v1/enterprises', body);
    expectFieldError(response, 400, 'name', 'validation');
  });

  it('a stale PATCH leaves the enterprise exactly as it was, and the fresh version then applies', async () => {
    const db = context.database.db;
    const id = enterpriseId(fx, 'kundulun');
    const version = await enterpriseVersion(db, id);
    const first = await fx.miit.patch(`/api/v1/enterprises/${id}`, {
      expected_version: version,
      environment_score: 60,
    });
    expect(first.statusCode).toBe(200);
    const before = await fx.miit.get(`/api/v1/enterprises/${id}`);
    const history = (await fx.miit.get(`/api/v1/enterprises/${id}/history`)).json<unknown[]>().length;
    const stale = await fx.miit.patch(`/api/v1/enterprises/${id}`, {
      expected_version: version,
      environment_score: 10,
    });
    expect(expectFieldError(stale, 409, 'expected_version', 'conflict')).toMatch(new RegExp(`${version + 1}`));
    expect((await fx.miit.get(`/api/v1/enterprises/${id}`)).body).toBe(before.body);
    expect((await fx.miit.get(`/api/v1/enterprises/${id}/history`)).json<unknown[]>()).toHaveLength(history);
    const fresh = await fx.miit.patch(`/api/v1/enterprises/${id}`, {
      expected_version: version + 1,
      environment_score: 10,
    });
    expect(fresh.statusCode).toBe(200);
    expect(fresh.json<{ environment_score: number; version: number }>()).toMatchObject({
      environment_score: 10,
      version: version + 2,
    });
  });

  it('the same registration sent again answers 200 with the enterprise and writes nothing', async () => {
    const db = context.database.db;
    const body = newEnterpriseBody('150206');
    const created = await fx.miit.post('/api/v1/enterprises', body);
    expect(created.statusCode).toBe(201);
    const digest = await worldDigest(db);
    const again = await fx.miit.post('/api/v1/enterprises', { ...body, credit_code: body.credit_code.toLowerCase() });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json<{ id: string }>().id).toBe(created.json<{ id: string }>().id);
    expect(await worldDigest(db)).toBe(digest);
  });

  it('a credit code is normalised (trimmed, upper-cased) before it is checked and stored', async () => {
    const body = newEnterpriseBody('150207');
    const response = await fx.miit.post('/api/v1/enterprises', {
      ...body,
      credit_code: `  ${body.credit_code.toLowerCase()} `,
    });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json<{ credit_code: string }>().credit_code).toBe(body.credit_code);
  });
});
