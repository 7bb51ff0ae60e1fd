export { finalPenaltiesByEnterprise } from './penalties.service.ts';
export { violationTypes, legalBasisOf, type ViolationType } from './supervision.rules.ts';
