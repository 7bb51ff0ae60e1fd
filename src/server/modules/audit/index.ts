export {
  recordAudit,
  takeAuditRecorded,
  watchAuditRecordings,
  verifyAuditChain,
  SYSTEM_ACTOR,
  type AuditActor,
  type AuditContext,
  type AuditRecord,
  type PendingReport,
  type VerifyResult,
} from './audit.service.ts';
export {
  auditSequencerOf,
  createAuditSequencer,
  sealPendingAudit,
  type AuditSequencer,
  type AuditSequencerOptions,
} from './audit.sequencer.ts';
export {
  anchorAuditHead,
  auditPublicKey,
  ensureAuditPublicKey,
  makeAnchor,
  readAnchorLog,
  verifyAuditChainWithAnchors,
  type AnchorCheck,
  type AnchoredVerifyResult,
} from './anchor.service.ts';
export { createAnchorScheduler, type AnchorScheduler, type AnchorSchedulerOptions } from './anchor.scheduler.ts';
export { anchorLine, AUDIT_KEY_OWNER, type AuditAnchor } from './audit.rules.ts';
export { chainHead as auditChainHead, latestRecordNumber } from './audit.repository.ts';
