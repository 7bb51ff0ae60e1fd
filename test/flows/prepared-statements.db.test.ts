import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepared } from '../../src/server/db/database.ts';
import * as trace from '../../src/server/modules/trace/trace.repository.ts';
import { freshDatabase, testEngine, type TestDatabase } from '../support/database.ts';

/** Statements marked `prepared` (ADR 0013): on PostgreSQL prepared once per connection and run by name. */
describe(`prepared statements (${testEngine})`, () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await freshDatabase();
  });
  afterAll(async () => database.close());

  const preparedHere = (db: TestDatabase['db']) =>
    sql<{ name: string; statement: string }>`
      SELECT name, statement FROM pg_prepared_statements WHERE statement LIKE '/* prepared */%'`.execute(db);

  it('gives the same rows as the statement unmarked', async () => {
    const marked = await sql<{ n: number }>`${prepared}SELECT ${41}::int + 1 AS n`.execute(database.db);
    expect(marked.rows).toEqual([{ n: 42 }]);
    const again = await sql<{ n: number }>`${prepared}SELECT ${1}::int + 1 AS n`.execute(database.db);
    expect(again.rows).toEqual([{ n: 2 }]);
  });

  it('prepares a trace once on its connection, under a name from its text, and runs it by name after', async () => {
    const batch = await sql<{ id: number }>`SELECT min(id)::float8 AS id FROM flow_batch`.execute(database.db);
    const id = batch.rows[0]?.id ?? 1;
    await database.db.connection().execute(async (connection) => {
      const before = (await preparedHere(connection)).rows.length;
      for (let round = 0; round < 3; round += 1) await trace.lineageUp(connection, { kind: 'national' }, id);
      await trace.lineageDown(connection, { kind: 'national' }, id);
      const statements = (await preparedHere(connection)).rows;
      if (testEngine === 'postgres') {
        // Up and down: two statements, whatever the rounds; each named mz_ and 24 hex digits.
        expect(statements.length - before).toBe(2);
        for (const statement of statements) expect(statement.name).toMatch(/^mz_[0-9a-f]{24}$/);
      } else {
        // PGlite: the mark is only a comment, every statement planned as it comes.
        expect(statements).toEqual([]);
      }
    });
  });
});
