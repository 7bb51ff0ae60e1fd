-- Statistics for the append-heavy flow tables (ADR 0009).
-- The defaults wait for 10 % of a table to change before autoanalyze and 20 % of inserts before an
-- insert-driven vacuum: on a table of tens of millions of rows that is long after a month's filing. These
-- tables only grow (flow_line, flow_superseded) or grow with every batch (the rest), so:
-- - analyse after 2 % of the table (at least 5,000 rows) has changed;
-- - vacuum after 5 % new rows (at least 10,000), which keeps the visibility map set for index-only scans.
-- The application also analyses the tables a large submission touched, right after it commits, so this is
-- what a server with autovacuum on adds, not what the system relies on (PGlite and servers with autovacuum
-- off have none).
ALTER TABLE flow_line SET (autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 5000,
  autovacuum_vacuum_insert_scale_factor = 0.05, autovacuum_vacuum_insert_threshold = 10000);
ALTER TABLE flow_batch SET (autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 5000,
  autovacuum_vacuum_insert_scale_factor = 0.05, autovacuum_vacuum_insert_threshold = 10000);
ALTER TABLE batch_edge SET (autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 5000,
  autovacuum_vacuum_insert_scale_factor = 0.05, autovacuum_vacuum_insert_threshold = 10000);
ALTER TABLE batch_origin SET (autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 5000,
  autovacuum_vacuum_insert_scale_factor = 0.05, autovacuum_vacuum_insert_threshold = 10000);
ALTER TABLE batch_holding SET (autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 5000,
  autovacuum_vacuum_insert_scale_factor = 0.05, autovacuum_vacuum_insert_threshold = 10000);
ALTER TABLE flow_superseded SET (autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 5000,
  autovacuum_vacuum_insert_scale_factor = 0.05, autovacuum_vacuum_insert_threshold = 10000);
