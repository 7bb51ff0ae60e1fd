import { describe, expect, it } from 'vitest';
import {
  allocationDiffersFromEngine,
  approvedFigureChanged,
  bursts,
  largeExports,
  samePersonDraftedAndApproved,
  type EventFacts,
  type Thresholds,
  type TrailEntry,
} from '../../src/server/modules/oversight/oversight.rules.ts';

/** The oversight rules as pure functions: the edges the database tests do not reach. */

const thresholds: Thresholds = {
  denied_attempts: 3,
  denied_window_minutes: 10,
  export_max_rows: 100,
  export_max_bytes: 1000,
  exports_per_window: 3,
  export_window_minutes: 60,
  lookback_days: 90,
};
const at = (minute: number) => new Date(Date.UTC(2026, 10, 1, 8, minute));
const entry = (seq: number, action: string, after: unknown, actor = 'u1'): TrailEntry => ({
  seq,
  at: at(seq),
  actor_id: actor,
  actor_login: actor,
  action,
  before: null,
  after,
});

describe('oversight rules', () => {
  it('takes bursts greedily from the oldest, each once', () => {
    const events = [0, 1, 2, 3, 30, 31, 45].map((minute) => ({ at: at(minute) }));
    expect(bursts(events, 3, 10).map((burst) => burst.length)).toEqual([4]);
    expect(bursts(events, 2, 10).map((burst) => burst.length)).toEqual([4, 2]);
    expect(bursts(events, 5, 10)).toEqual([]);
  });

  it('compares approved totals with those recorded at approval, and flags totals entries after it', () => {
    const approve = entry(2, 'indicator.batch.approve', { totals: [{ category: 'mining_rock', total_reo_kg: 100 }] });
    const same = new Map([['mining_rock', 100]]);
    expect(approvedFigureChanged([{ id: 'b', name: 'B', current: same, trail: [approve] }], [])).toEqual([]);
    const changed = approvedFigureChanged(
      [{ id: 'b', name: 'B', current: new Map([['mining_rock', 101]]), trail: [approve] }],
      [],
    );
    expect(changed).toHaveLength(1);
    const later = approvedFigureChanged(
      [{ id: 'b', name: 'B', current: same, trail: [approve, entry(3, 'indicator.batch.totals', {}, 'u9')] }],
      [],
    );
    expect(later).toMatchObject([{ key: 'approved_figure_changed:audit:3', actor_id: 'u9' }]);
  });

  it('leaves a manual run with a recorded reason, or one the engine refuses, alone', () => {
    const base = {
      id: 'r',
      status: 'approved',
      category: 'mining_rock',
      level: 'national',
      created_by: 'u1',
      created_at: at(0),
      shares: new Map([
        ['a', 60],
        ['b', 40],
      ]),
    };
    const engine = new Map([
      ['a', 50],
      ['b', 50],
      ['c', 0],
    ]);
    expect(allocationDiffersFromEngine([{ ...base, engine, reason: null }])).toHaveLength(1);
    expect(allocationDiffersFromEngine([{ ...base, engine, reason: '  ' }])).toHaveLength(1);
    expect(allocationDiffersFromEngine([{ ...base, engine, reason: '国务院批复另有安排' }])).toEqual([]);
    expect(allocationDiffersFromEngine([{ ...base, engine: null, reason: null }])).toEqual([]);
    expect(
      allocationDiffersFromEngine([{ ...base, engine: new Map([...base.shares, ['c', 0]]), reason: null }]),
    ).toEqual([]);
  });

  it('counts the rows of report exports, and merges them with the same request’s bytes', () => {
    const event: EventFacts = {
      id: '1',
      at: at(0),
      actor_id: 'u1',
      actor_login: 'u1',
      ip: '192.0.2.1',
      route: '/api/v1/reports/{id}/export',
      status: 200,
      request_id: 'q1',
      bytes: 5000,
    };
    const report = {
      request_id: 'q1',
      at: at(0),
      actor_id: 'u1',
      actor_login: 'u1',
      object_type: 'compilation',
      object_id: 'c1',
      format: 'csv',
    };
    const both = largeExports([event], [{ ...report, rows: 101 }], thresholds);
    expect(both).toHaveLength(1);
    expect(both[0]!.evidence).toMatchObject({ bytes: 5000, rows: 101, format: 'csv' });
    expect(largeExports([{ ...event, bytes: 10 }], [{ ...report, rows: 100 }], thresholds)).toEqual([]);
    expect(largeExports([{ ...event, bytes: 10 }], [{ ...report, rows: 101 }], thresholds)).toHaveLength(1);
  });

  it('finds the same person on both sides of a duty, never the system', () => {
    const facts = (drafter: string, approver: string) => ({
      subject_type: 'allocation_run' as const,
      subject_id: 'r',
      name: 'run',
      drafters: [{ user_id: drafter, how: 'proposed' }],
      approvers: [{ user_id: approver, how: 'approved', at: at(1) }],
    });
    expect(samePersonDraftedAndApproved([facts('u1', 'u2')])).toEqual([]);
    expect(samePersonDraftedAndApproved([facts('u1', 'u1')])).toHaveLength(1);
    expect(samePersonDraftedAndApproved([facts('system', 'system')])).toEqual([]);
  });
});
