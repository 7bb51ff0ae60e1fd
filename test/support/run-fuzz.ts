/**
 * `npm run fuzz -- --cases N [--seed S]`: the fuzz suite (test/api/fuzz.db.test.ts) with more cases than CI
 * runs, on PGlite and, with DATABASE_URL set, on PostgreSQL. Without --seed a random seed is drawn; the suite
 * prints it, and `--seed S` (or FUZZ_SEED) reproduces the run.
 */
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? args[index + 1] : undefined;
};
const cases = option('cases') ?? '2000';
const seed = option('seed') ?? process.env.FUZZ_SEED ?? String(Math.floor(Math.random() * 2 ** 31));
const given: [string, string][] = [
  ['cases', cases],
  ['seed', seed],
];
for (const [name, value] of given) {
  if (!/^\d+$/.test(value) || Number(value) > Number.MAX_SAFE_INTEGER) {
    console.error(`--${name} must be a whole number, not ${value}`);
    process.exit(2);
  }
}
const project = option('project');
const result = spawnSync(
  'npx',
  ['vitest', 'run', ...(project ? ['--project', project] : []), 'test/api/fuzz.db.test.ts'],
  { stdio: 'inherit', env: { ...process.env, FUZZ_CASES: cases, FUZZ_SEED: seed } },
);
process.exit(result.status ?? 1);
