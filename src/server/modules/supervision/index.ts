export { finalPenaltiesByEnterprise } from './penalties.service.ts';
export { violationTypes, legalBasisOf, type ViolationType } from './supervision.rules.ts';
export { overdueCorrections } from './decisions.service.ts';
