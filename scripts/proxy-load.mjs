/* global process, console */
// Public certificate checks through the reference proxy's cache (deploy/nginx.conf), beside /healthz through the
// same proxy (not cached), with autocannon. For a database made by `npm run load -- --keep`, a server on it, and
// nginx in front of that server with deploy/nginx.conf (docs/benchmark.md, "Through the reference proxy"):
//   node scripts/proxy-load.mjs DATABASE_URL PROXY_ORIGIN [CONNECTIONS=50] [SECONDS=10]
import autocannon from 'autocannon';
import pg from 'pg';
const [url, base, connections = '50', duration = '10'] = process.argv.slice(2);
const client = new pg.Client({ connectionString: url });
await client.connect();
const codes = (await client.query('SELECT code FROM certificate ORDER BY code LIMIT 50')).rows.map((r) => r.code);
await client.end();
const run = (paths) =>
  new Promise((resolve, reject) => {
    let i = 0;
    autocannon(
      {
        url: base,
        connections: Number(connections),
        duration: Number(duration),
        requests: [{ setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length] }) }],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
const show = (name, r) =>
  console.log(
    JSON.stringify({ name, rps: r.requests.average, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors }),
  );
show('healthz (through the proxy, not cached)', await run(['/healthz']));
show('certificates (through the proxy cache)', await run(codes.map((c) => `/api/v1/public/certificates/${c}`)));
show('healthz again', await run(['/healthz']));
