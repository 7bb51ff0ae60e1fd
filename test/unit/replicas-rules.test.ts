import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/server/config.ts';
import {
  chooseReadTarget,
  describeDatabaseUrl,
  lagOf,
  pendingMigrations,
  readinessFailures,
  type ReadRequest,
} from '../../src/server/db/replicas.rules.ts';
import { checkProcessSettings } from '../../src/server/main.ts';
import { StartupError } from '../../src/server/shared/messages.ts';

const base: ReadRequest = {
  replicaRoute: true,
  replicas: [{ lagMs: 10 }, { lagMs: 20 }],
  maxLagMs: 5000,
  lastWriteAt: undefined,
  stickyMs: 10_000,
  now: 1_000_000,
  turn: 0,
};

describe('where a read goes', () => {
  it('goes to the primary on a route that did not declare replica reads, or with no replica', () => {
    expect(chooseReadTarget({ ...base, replicaRoute: false })).toEqual({ target: 'primary', reason: 'route' });
    expect(chooseReadTarget({ ...base, replicas: [] })).toEqual({ target: 'primary', reason: 'no_replica' });
  });

  it('takes the replicas within the bound in turn', () => {
    const turns = [0, 1, 2, 3].map((turn) => chooseReadTarget({ ...base, turn }));
    expect(turns).toEqual([0, 1, 0, 1].map((index) => ({ target: 'replica', index })));
    const oneBehind = { ...base, replicas: [{ lagMs: 6000 }, { lagMs: 5000 }, { lagMs: null }] };
    expect([0, 1, 2].map((turn) => chooseReadTarget({ ...oneBehind, turn }))).toEqual(
      [1, 1, 1].map((index) => ({ target: 'replica', index })),
    );
  });

  it('goes to the primary when every replica is behind the bound or unreachable', () => {
    const behind = { ...base, replicas: [{ lagMs: 5001 }, { lagMs: null }] };
    expect(chooseReadTarget(behind)).toEqual({ target: 'primary', reason: 'replicas_behind' });
  });

  it("goes to the primary within the sticky window after the caller's own write, and to a replica after it", () => {
    expect(chooseReadTarget({ ...base, lastWriteAt: base.now })).toEqual({ target: 'primary', reason: 'own_write' });
    expect(chooseReadTarget({ ...base, lastWriteAt: base.now - 9_999 })).toEqual({
      target: 'primary',
      reason: 'own_write',
    });
    expect(chooseReadTarget({ ...base, lastWriteAt: base.now - 10_000 })).toEqual({ target: 'replica', index: 0 });
    expect(chooseReadTarget({ ...base, stickyMs: 0, lastWriteAt: base.now })).toEqual({ target: 'replica', index: 0 });
  });
});

describe('a lag sample', () => {
  it('is the lag of a server in recovery, and unusable otherwise', () => {
    expect(lagOf({ inRecovery: true, lagMs: 0 })).toBe(0);
    expect(lagOf({ inRecovery: true, lagMs: 1234.6 })).toBe(1235);
    // Clocks of primary and replica a little apart can make the age of the last commit negative.
    expect(lagOf({ inRecovery: true, lagMs: -3 })).toBe(0);
    expect(lagOf({ inRecovery: true, lagMs: null })).toBeNull();
    expect(lagOf({ inRecovery: false, lagMs: 0 })).toBeNull();
  });
});

describe('readiness', () => {
  const ready = { databaseAnswers: true, pendingMigrations: [], replicas: [{ lagMs: 0 }], maxLagMs: 100 };

  it('is ready with an answering, migrated database and replicas within the bound', () => {
    expect(readinessFailures(ready)).toEqual([]);
    expect(readinessFailures({ ...ready, replicas: [{ lagMs: 100 }] })).toEqual([]);
  });

  it('names every check that failed', () => {
    expect(
      readinessFailures({
        databaseAnswers: false,
        pendingMigrations: null,
        replicas: [{ lagMs: 0 }, { lagMs: null }, { lagMs: 101 }],
        maxLagMs: 100,
      }),
    ).toEqual([
      { code: 'database_unreachable' },
      { code: 'replica_unreachable', replica: 1 },
      { code: 'replica_lagging', replica: 2, lag_ms: 101, max_lag_ms: 100 },
    ]);
    expect(readinessFailures({ ...ready, pendingMigrations: ['0042_next.sql'] })).toEqual([
      { code: 'migrations_pending', pending: ['0042_next.sql'] },
    ]);
  });

  it('finds the migration files not applied', () => {
    expect(pendingMigrations(['0002_b.sql', '0001_a.sql', '0003_c.sql'], new Set(['0001_a.sql']))).toEqual([
      '0002_b.sql',
      '0003_c.sql',
    ]);
  });
});

describe('read replica settings', () => {
  it('takes a comma-separated list of URLs', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://app@primary/monazite',
      DATABASE_READ_URL: 'postgres://app@replica1/monazite, postgres://app@replica2:5433/monazite',
    });
    expect(config.DATABASE_READ_URL).toEqual([
      'postgres://app@replica1/monazite',
      'postgres://app@replica2:5433/monazite',
    ]);
    expect(loadConfig({}).DATABASE_READ_URL).toEqual([]);
    expect(() => loadConfig({ DATABASE_READ_URL: 'postgres://app@replica1/monazite,not a url' })).toThrow(
      /DATABASE_READ_URL/,
    );
  });

  it('refuses replicas without a PostgreSQL primary at start', () => {
    const config = loadConfig({ DATABASE_READ_URL: 'postgres://app@replica1/monazite' });
    expect(() => checkProcessSettings(config)).toThrow(StartupError);
    expect(() => checkProcessSettings(config)).toThrow(/DATABASE_READ_URL needs DATABASE_URL/);
    expect(() => checkProcessSettings({ ...config, DATABASE_URL: 'postgres://app@primary/monazite' })).not.toThrow();
  });

  it('shows a replica in logs without its password', () => {
    expect(describeDatabaseUrl('postgres://app:s3cret@replica1:5433/monazite?sslmode=require')).toBe(
      'replica1:5433/monazite',
    );
    expect(describeDatabaseUrl('nonsense')).toBe('(unparsable URL)');
  });
});
