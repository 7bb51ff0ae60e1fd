export { insertAnomalies as recordAnomalies, type NewAnomaly } from './checks.repository.ts';
export { runChecks } from './checks.service.ts';
export { openAnomalyCountsByRule } from './anomalies.repository.ts';
