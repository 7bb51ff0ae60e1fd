export { oversightRoutes } from './oversight.routes.ts';
export { runRules, currentThresholds } from './oversight.service.ts';
export { insertSecurityEvent, type NewSecurityEvent } from './security-events.repository.ts';
