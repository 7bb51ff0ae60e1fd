export {
  recordAudit,
  verifyAuditChain,
  SYSTEM_ACTOR,
  type AuditActor,
  type AuditContext,
  type AuditRecord,
  type VerifyResult,
} from './audit.service.ts';
