/* global process, setTimeout, fetch, AbortSignal, console */
// Writers for the kill -9 drill: W writers, each S submissions of E produce events for ent.bayan; writers
// W/2.. send the same submissions as writers 0.. at the same moment. Every request is retried (same body)
// until the server answers with a status below 500.
const [base, token, W = '8', S = '40', E = '5'] = process.argv.slice(2);
const writers = Number(W),
  submissions = Number(S),
  events = Number(E);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const stats = { attempts: 0, retries: 0, statuses: {} };
function body(set, j) {
  return {
    events: Array.from({ length: events }, (_, e) => ({
      event_id: `K9-${set}-${j}-${e}`,
      kind: 'produce',
      event_time: `2026-03-${String(1 + (j % 27)).padStart(2, '0')}T08:00:00+08:00`,
      batch: `K9-${set}-${j}-${e}`,
      product: 'BASTNAESITE_CONC',
      mass_kg: 1000 + e,
      grade_ppm: 500000,
    })),
  };
}
async function send(payload) {
  for (;;) {
    stats.attempts++;
    try {
      const r = await fetch(`${base}/api/v1/flows`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(15000),
      });
      const text = await r.text();
      if (r.status < 500) {
        stats.statuses[r.status] = (stats.statuses[r.status] ?? 0) + 1;
        return { status: r.status, text };
      }
    } catch {
      // the server is down (killed): retry
    }
    stats.retries++;
    await sleep(300);
  }
}
const half = Math.ceil(writers / 2);
const bad = [];
await Promise.all(
  Array.from({ length: writers }, async (_, w) => {
    const set = w % half;
    for (let j = 0; j < submissions; j++) {
      const { status, text } = await send(body(set, j));
      if (status !== 200 && status !== 201) bad.push(`${set}-${j}: ${status} ${text.slice(0, 200)}`);
    }
  }),
);
console.log(
  JSON.stringify({
    ...stats,
    distinct_submissions: half * submissions,
    distinct_events: half * submissions * events,
    bad,
  }),
);
