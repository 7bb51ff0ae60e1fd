import { Counter } from 'prom-client';

/**
 * What the service does, counted where it happens (each process counts its own; Prometheus adds the processes up).
 * The counters live once per process and every app's registry shows them (installMetrics), whichever way in —
 * route, file, EPCIS or the command line — the work came.
 */
export const businessCounters = {
  flowSubmissions: new Counter({
    name: 'monazite_flow_submissions_total',
    help: 'Flow submissions by outcome: stored, replayed (the same content again), refused',
    labelNames: ['outcome'] as const,
    registers: [],
  }),
  flowEventsIngested: new Counter({
    name: 'monazite_flow_events_ingested_total',
    help: 'Flow events stored by committed submissions',
    registers: [],
  }),
  captureJobs: new Counter({
    name: 'monazite_epcis_capture_jobs_total',
    help: 'EPCIS capture jobs by outcome: succeeded, failed (refused in whole or in part)',
    labelNames: ['outcome'] as const,
    registers: [],
  }),
  certificateChecks: new Counter({
    name: 'monazite_certificate_checks_total',
    help: 'Public certificate checks by HTTP status (200 found, 304 unchanged, 404 unknown code)',
    labelNames: ['status'] as const,
    registers: [],
  }),
};
