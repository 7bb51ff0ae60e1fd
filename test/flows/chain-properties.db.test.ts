import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson, sm3Hex } from '../../src/server/shared/canonical-json.ts';
import { runChecks } from '../../src/server/modules/checks/checks.service.ts';
import { sealMonth } from '../../src/server/modules/flows/declarations.service.ts';
import { ingestFlows } from '../../src/server/modules/flows/ingest.service.ts';
import { accounts, transfer } from '../../src/server/modules/ledger/ledger.service.ts';
import type { Actor } from '../../src/server/modules/auth/index.ts';
import { DomainError } from '../../src/server/shared/errors.ts';
import { worldDigest } from '../api/api-helpers.ts';
import { startTestApp, type TestContext } from '../support/app.ts';
import { alter, buildChain, chainShape, quantityFields, type Chain } from './chain-generator.ts';
import { creditCodes, enterpriseIds } from './flow-world.ts';

/**
 * DESIGN §3 invariants 4 and 5, and the issue's acceptance properties, on generated supply chains: a valid
 * history passes every check; changing any one quantity in it is caught (refused at ingest, or found by a
 * check); origin shares sum exactly to each batch's REO; replaying a submission changes nothing.
 * Each generated history needs a month of its own (its stock must not meet another's), so failures are
 * reported as found, without shrinking (which would need a fresh month per attempt).
 */
describe('flow properties on generated supply chains', () => {
  let context: TestContext;
  let codes: Record<string, string>;
  let ids: Record<string, string>;
  const months: string[] = [];
  for (let year = 2023; year <= 2026; year += 1)
    for (let month = 1; month <= (year === 2026 ? 9 : 12); month += 2)
      months.push(`${year}-${String(month).padStart(2, '0')}`);
  let nextMonth = 0;
  /** Each generated history gets a month of its own, so one run's stock never meets another's. */
  const freshMonth = () => {
    const month = months[nextMonth++];
    if (!month) throw new Error('out of months for generated histories');
    return month;
  };
  let run = 0;

  const actor = (key: 'bayan' | 'kundulun'): Actor => ({
    userId: `test-${key}`,
    login: `test.${key}`,
    displayName: key,
    role: 'enterprise_user',
    authorityId: null,
    department: null,
    divisionCode: null,
    enterpriseId: ids[key]!,
    via: 'session',
  });
  const audit = { actor: { id: 'test', login: 'test', role: 'enterprise_user' }, requestId: 'property-test' };

  const submit = (key: 'bayan' | 'kundulun', events: Record<string, unknown>[]) =>
    ingestFlows(
      context.database,
      { source: 'api', enterpriseId: ids[key]!, createdBy: `test.${key}`, contentSm3: sm3Hex(canonicalJson(events)) },
      events.map((event, index) => ({ row: index + 1, event })),
    );

  /** Ingests a chain in a month of its own, seals both sides on time, and runs the checks exactly (tolerance 0). */
  async function record(
    chain: Chain,
    month: string,
  ): Promise<{ refused: boolean; anomalies: string[]; errors?: unknown }> {
    try {
      await submit('bayan', chain.mine);
      await submit('kundulun', chain.plant);
    } catch (error) {
      if (error instanceof DomainError && error.status === 422)
        return { refused: true, anomalies: [], errors: error.errors };
      throw error;
    }
    const onTime = new Date(`${month}-01T00:00:00+08:00`);
    onTime.setUTCDate(onTime.getUTCDate() + 35); // the 5th or 6th of the next month
    for (const key of ['bayan', 'kundulun'] as const)
      await sealMonth(context.database.db, actor(key), audit, month, onTime);
    await runChecks(context.database.db, month, {
      now: onTime,
      tolerances: { balancePpm: 0, matchPpm: 0, minYieldPpm: 800_000 },
    });
    const found = await sql<{ rule: string; enterprise_id: string }>`
      SELECT rule, enterprise_id FROM anomaly WHERE period = ${`${month}-01`}`.execute(context.database.db);
    return {
      refused: false,
      anomalies: found.rows
        .filter((row) => row.enterprise_id === ids.bayan || row.enterprise_id === ids.kundulun)
        .map((row) => row.rule),
    };
  }

  beforeAll(async () => {
    context = await startTestApp();
    codes = await creditCodes(context.database.db);
    ids = await enterpriseIds(context.database.db);
    // Quota enough for every generated month, so only a wrong figure can raise an anomaly.
    await context.database.db.transaction().execute(async (tx) => {
      for (const year of [2023, 2024, 2025, 2026])
        for (const [key, category] of [
          ['bayan', 'mining_rock'],
          ['kundulun', 'separation'],
        ] as const)
          await transfer(tx, {
            kind: 'adjust',
            year,
            category,
            from: accounts.approved(year, category),
            to: accounts.enterprise(ids[key]!, year, category),
            reoKg: 10_000_000_000,
            key: `property-quota:${key}:${year}`,
            reference: 'property test quota',
            createdBy: 'test',
          });
    });
  });
  afterAll(() => context.close());

  it('a valid history passes every check, and its origin shares sum exactly to each batch', async () => {
    await fc.assert(
      fc.asyncProperty(chainShape, async (shape) => {
        const month = freshMonth();
        const chain = buildChain(shape, month, `V${run++}`, { mine: codes.bayan!, plant: codes.kundulun! });
        const outcome = await record(chain, month);
        expect(outcome, JSON.stringify(outcome.errors)).toEqual({ refused: false, anomalies: [] });
      }),
      { numRuns: 8, endOnFailure: true },
    );
    const sums = await sql<{ code: string; reo_kg: string; origins: string }>`
      SELECT b.code, b.reo_kg, sum(o.reo_kg) AS origins FROM flow_batch b JOIN batch_origin o ON o.batch_id = b.id
      GROUP BY b.id, b.code, b.reo_kg`.execute(context.database.db);
    expect(sums.rows.length).toBeGreaterThan(8);
    for (const row of sums.rows) expect(row.origins, row.code).toBe(row.reo_kg);
  });

  it('changing any one quantity of a valid history is caught by the ingest or by a check', async () => {
    await fc.assert(
      fc.asyncProperty(
        chainShape,
        fc.nat(),
        fc.integer({ min: 1, max: 50 }),
        fc.boolean(),
        async (shape, pick, size, down) => {
          const month = freshMonth();
          const chain = buildChain(shape, month, `A${run++}`, { mine: codes.bayan!, plant: codes.kundulun! });
          const fields = quantityFields(chain);
          const field = fields[pick % fields.length]!;
          const outcome = await record(alter(chain, field, down ? -size : size), month);
          expect(
            outcome.refused || outcome.anomalies.length > 0,
            `${field.side} ${field.index} ${field.path.join('.')}`,
          ).toBe(true);
        },
      ),
      { numRuns: 8, endOnFailure: true },
    );
  });

  it('replaying a submission changes nothing and returns the first answer', async () => {
    await fc.assert(
      fc.asyncProperty(chainShape, async (shape) => {
        const month = freshMonth();
        const chain = buildChain(shape, month, `R${run++}`, { mine: codes.bayan!, plant: codes.kundulun! });
        const first = await submit('bayan', chain.mine);
        const before = await worldDigest(context.database.db);
        const again = await submit('bayan', chain.mine);
        expect(again).toEqual({ ...first, replayed: true });
        expect(await worldDigest(context.database.db)).toBe(before);
      }),
      { numRuns: 4, endOnFailure: true },
    );
  });
});
