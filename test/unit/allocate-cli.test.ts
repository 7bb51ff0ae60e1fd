import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('monazite allocate', () => {
  it('runs the engine on the documented example input', async () => {
    const { stdout } = await run(process.execPath, [
      'bin/monazite.mjs',
      'allocate',
      '--input',
      'docs/examples/allocation-input.json',
      '--json',
    ]);
    const result = JSON.parse(stdout) as {
      total_reo_kg: number;
      holders: { id: string; reo_kg: number; eligible: boolean; penalty_reduction_reo_kg: number }[];
    };
    expect(result.holders.reduce((sum, holder) => sum + holder.reo_kg, 0)).toBe(result.total_reo_kg);
    expect(result.holders.find((holder) => holder.id === 'E3')).toMatchObject({ reo_kg: 0, eligible: false });
    expect(result.holders.find((holder) => holder.id === 'E2')!.penalty_reduction_reo_kg).toBeGreaterThan(0);
  });

  it('names every bad field of a malformed input and exits 2', async () => {
    const failure = await run(process.execPath, ['bin/monazite.mjs', 'allocate', '--input', 'package.json']).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toContain('total_reo_kg');
  });
});
