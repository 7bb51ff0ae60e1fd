import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardView } from '../../src/contracts/dashboard.ts';
import { startTestApp, type Client, type TestContext } from '../support/app.ts';

/**
 * The dashboard remembered per process (DASHBOARD_CACHE_SECONDS): given again while no write has been recorded, made
 * anew after any write, and after its time.
 */
describe('the remembered dashboard', () => {
  let context: TestContext;
  let province: Client;
  let now = new Date('2026-11-29T10:00:00+08:00');
  const view = async (client: Client) => {
    const response = await client.get('/api/v1/dashboard?year=2026');
    expect(response.statusCode).toBe(200);
    return response.json<DashboardView>();
  };
  const shown = (answer: DashboardView) => [answer.view.name, ...answer.view.path.map((step) => step.name)];
  /** A change put straight into the database, as no write of the server would make it (no audit record). */
  const renameUnrecorded = async (name: string) =>
    context.database.db.updateTable('division').set({ name }).where('code', '=', '150000').execute();
  beforeAll(async () => {
    context = await startTestApp({ DASHBOARD_CACHE_SECONDS: '30' }, { clock: () => now });
    province = await context.as('nmg.iit');
  });
  afterAll(async () => context.close());

  it('gives the same answer while nothing is recorded; a write or its age make it anew', async () => {
    const first = await view(province);
    expect(shown(first)).toContain('内蒙古自治区');
    await renameUnrecorded('内蒙古（改）');
    // Unrecorded, so unseen: the answer is the remembered one.
    expect(shown(await view(province))).toContain('内蒙古自治区');

    // A write anywhere (recorded) makes it anew.
    const bayan = await context.as('ent.bayan');
    const stored = await bayan.post('/api/v1/flows', {
      events: [
        {
          event_id: 'MEMORY-1',
          kind: 'produce',
          event_time: '2026-11-02T08:00:00+08:00',
          batch: 'MEMORY-1',
          product: 'BASTNAESITE_CONC',
          mass_kg: 10_000,
          grade_ppm: 500_000,
        },
      ],
    });
    expect(stored.statusCode).toBe(201);
    expect(shown(await view(province))).toContain('内蒙古（改）');

    // Older than DASHBOARD_CACHE_SECONDS: made anew.
    await renameUnrecorded('内蒙古自治区');
    expect(shown(await view(province))).toContain('内蒙古（改）');
    now = new Date(now.getTime() + 31_000);
    expect(shown(await view(province))).toContain('内蒙古自治区');
  });
});
