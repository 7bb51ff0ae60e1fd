/** What other modules may use of the flow records. */
export { designatedEnterprises, monthDigest, monthMarks, sealsOf } from './declarations.repository.ts';
export { deadlineOf, declarationStatus } from './declarations.rules.ts';
export { ledgerCategory, periodOf } from './flows.rules.ts';
export { ingestFlows, type IngestOptions, type IngestRow } from './ingest.service.ts';
export { monthlyProduction, type ProductionRow } from './production.repository.ts';
