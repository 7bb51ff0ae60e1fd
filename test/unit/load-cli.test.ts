import { afterEach, describe, expect, it, vi } from 'vitest';
import { describeLoad, runLoadCommand, type LoadFigures } from '../../src/cli/load.ts';
import { noneMatchHits } from '../../src/server/shared/etag.rules.ts';
import { boundedMemory } from '../../src/server/shared/bounded-memory.ts';

describe('monazite load', () => {
  afterEach(() => vi.restoreAllMocks());

  it('refuses bad options with exit code 2, naming the option, before it opens anything', async () => {
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((text: string) => void errors.push(text));
    expect(await runLoadCommand({ events: '10', connections: 'many' })).toBe(2);
    expect(errors.map((line) => line.split(':')[0]).sort()).toEqual(['--connections', '--events']);
  });

  it('prints each scenario with its ratio to the health check', () => {
    const figures: LoadFigures = {
      engine: 'postgres',
      events: 100_000,
      connections: 10,
      duration: 10,
      cores: 2,
      baseline_rps: 2000,
      baseline_p99_ms: 20,
      baseline_first_rps: 1900,
      baseline_last_rps: 2100,
      verify_rps: 1500,
      verify_p99_ms: 30,
      trace_rps: 1000,
      trace_p99_ms: 40,
      api_read_rps: 400,
      api_read_p99_ms: 100,
      dashboard_rps: 10,
      dashboard_p99_ms: 1500,
      verify_vs_baseline: 0.75,
      trace_vs_baseline: 0.5,
      api_read_vs_baseline: 0.2,
      dashboard_vs_baseline: 0.005,
    };
    const lines = describeLoad(figures, null);
    expect(lines[0]).toContain('100,000 flow events, 10 connections');
    expect(lines.find((line) => line.includes('certificate check'))).toMatch(/1500\s+30\s+0\.75×$/);
    expect(lines.find((line) => line.includes('dashboard'))).toMatch(/10\s+1500\s+0\.005×$/);
  });
});

describe('If-None-Match', () => {
  it('hits on the tag, in a list, weakly compared, or on *', () => {
    expect(noneMatchHits('"a"', '"a"')).toBe(true);
    expect(noneMatchHits('"b", W/"a"', '"a"')).toBe(true);
    expect(noneMatchHits('*', '"a"')).toBe(true);
    expect(noneMatchHits('"b"', '"a"')).toBe(false);
    expect(noneMatchHits(undefined, '"a"')).toBe(false);
  });
});

describe('boundedMemory', () => {
  it('drops the least recently used entry past its bound', () => {
    const memory = boundedMemory<string, number>(2);
    memory.set('a', 1);
    memory.set('b', 2);
    expect(memory.get('a')).toBe(1);
    memory.set('c', 3);
    expect([memory.get('a'), memory.get('b'), memory.get('c'), memory.size]).toEqual([1, undefined, 3, 2]);
  });
});
