import { bench, describe } from 'vitest';
import { DEMO_PASSWORD } from '../../src/server/demo/demo-data.ts';
import { startTestApp, type TestContext } from '../support/app.ts';

/**
 * How long each kind of refused sign-in takes (issue 12, item 7: "the same time within noise"). A measurement,
 * not a test — nothing here asserts a threshold: run
 *   npx vitest bench --run --project pglite test/bench/sign-in-timing.bench.ts
 * and compare the three means (one run on a loaded two-core machine, PGlite: 118, 100 and 110 ms, standard
 * deviations about 50 ms — differences within the noise). The unknown logins and the wrong passwords come each from a login/address pair
 * that has not failed before, so the throttle never holds them; the throttled attempts all come from an
 * address that has to wait an hour.
 */
let serial = 0;
const next = (): number => (serial += 1);
const address = (n: number): string => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;

const attempt = async (login: string, password: string, remoteAddress: string): Promise<void> => {
  const response = await context.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { login, password },
    remoteAddress,
  });
  if (response.statusCode !== 401) throw new Error(`expected a refusal, got ${response.statusCode}`);
};

// Set up at load (a bench file's beforeAll does not run before its benchmarks); the worker's exit closes it.
const context: TestContext = await startTestApp({
  LOGIN_THROTTLE_FREE_ATTEMPTS: '3',
  LOGIN_THROTTLE_BASE_SECONDS: '3600',
});
for (let failure = 0; failure < 3; failure += 1) await attempt('ndrc', 'wrong-guess', '192.0.2.3');

describe('refused sign-ins', () => {
  const options = { iterations: 100, warmupIterations: 10, time: 0 };
  bench('unknown login', () => attempt(`nobody.${next()}`, 'wrong-guess', '192.0.2.1'), options);
  bench('wrong password', () => attempt('mnr', 'wrong-guess', address(next())), options);
  bench('throttled, right password', () => attempt('ndrc', DEMO_PASSWORD, '192.0.2.3'), options);
});
