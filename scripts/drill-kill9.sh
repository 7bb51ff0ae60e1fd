#!/usr/bin/env bash
# The kill -9 drill on PostgreSQL: many writers, the server killed twice while they write, restarted, clients retry.
set -u
cd "$(dirname "$0")/.."
db=monazite_kill9
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"; psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $db"
export DATABASE_URL=postgres://postgres@127.0.0.1:5432/$db PORT=8111 SUPERVISE=false LOG_LEVEL=warn RATE_LIMIT_PER_MINUTE=1000000
start() { node bin/monazite.mjs serve >> /tmp/kill9-server.log 2>&1 & pid=$!; for i in $(seq 1 180); do curl -sf localhost:8111/healthz >/dev/null && return; sleep 1; done; echo "server did not start"; exit 1; }
: > /tmp/kill9-server.log
start
token=$(node bin/monazite.mjs token create --user ent.bayan --name kill9 2>/dev/null)
node scripts/drill-kill9-writers.mjs http://127.0.0.1:8111 "$token" 8 400 5 > /tmp/kill9-writers.json & writers=$!
for round in 1 2; do
  sleep 4; echo "kill -9 $pid (round $round)"; kill -9 $pid; wait $pid 2>/dev/null; sleep 2; start
done
wait $writers
cat /tmp/kill9-writers.json
psql -h 127.0.0.1 -U postgres -d $db -Atc "
  SELECT 'events stored', count(*), count(DISTINCT event_id) FROM flow_line WHERE event_id LIKE 'K9-%';
  SELECT 'events stored twice', count(*) FROM (SELECT event_id FROM flow_line WHERE event_id LIKE 'K9-%' GROUP BY event_id HAVING count(*) > 1) t;
  SELECT 'submissions holding K9 events', count(DISTINCT submission_id) FROM flow_line WHERE event_id LIKE 'K9-%';
  SELECT 'flows.submit audit entries', count(*) FROM audit_entry WHERE action = 'flows.submit';"
kill $pid; wait $pid 2>/dev/null
node bin/monazite.mjs audit verify; echo "verify exit $?"
