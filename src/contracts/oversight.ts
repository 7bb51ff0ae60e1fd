import { z } from 'zod';
import { MAX_PAGE_SIZE } from './common.ts';

/** Oversight of officials (Art. 15): alerts, thresholds and the security event log. */

export const oversightRules = [
  'approved_figure_changed',
  'allocation_differs_from_engine',
  'late_filing_without_reason',
  'repeated_denials',
  'large_export',
  'same_person_drafted_and_approved',
] as const;
export type OversightRuleName = (typeof oversightRules)[number];

export const alertStatuses = ['open', 'acknowledged'] as const;

export const oversightAlert = z.object({
  id: z.uuid(),
  key: z.string(),
  rule: z.enum(oversightRules),
  subject_type: z.string(),
  subject_id: z.string(),
  /** The user the alert is about, where there is one. */
  actor_id: z.string().nullable(),
  summary: z.string(),
  evidence: z.record(z.string(), z.unknown()),
  occurred_at: z.string(),
  detected_at: z.string(),
  status: z.enum(alertStatuses),
  version: z.number().int(),
  acknowledged_by: z.string().nullable(),
  acknowledged_at: z.string().nullable(),
  note: z.string().nullable(),
});
export type OversightAlert = z.infer<typeof oversightAlert>;

export const alertQuery = z.strictObject({
  rule: z.enum(oversightRules).optional(),
  status: z.enum(alertStatuses).optional(),
  subject_type: z.string().max(50).optional(),
  subject_id: z.string().max(100).optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  page_size: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(20),
});

export const acknowledgeBody = z.strictObject({
  expected_version: z.number().int().min(1),
  note: z.string().trim().min(2).max(2000),
});

export const ruleRun = z.object({
  /** New alerts per rule (an alert found before is not found again). */
  new_alerts: z.record(z.enum(oversightRules), z.number().int()),
  total_new: z.number().int(),
  ran_at: z.string(),
});
export type RuleRun = z.infer<typeof ruleRun>;

export const thresholdNames = [
  'denied_attempts',
  'denied_window_minutes',
  'export_max_rows',
  'export_max_bytes',
  'exports_per_window',
  'export_window_minutes',
  'lookback_days',
] as const;
export type ThresholdName = (typeof thresholdNames)[number];

export const thresholdView = z.object({
  name: z.enum(thresholdNames),
  value: z.number().int(),
  version: z.number().int(),
  updated_by: z.string(),
  updated_at: z.string(),
});
export const thresholdList = z.object({ items: z.array(thresholdView) });

export const thresholdUpdateBody = z.strictObject({
  expected_version: z.number().int().min(1),
  value: z.number().int().min(1).max(1_000_000_000),
});
export const thresholdParam = z.object({ name: z.enum(thresholdNames) });

export const securityEventKinds = ['denied', 'export', 'auth'] as const;
export const securityEvent = z.object({
  id: z.number().int(),
  kind: z.enum(securityEventKinds),
  at: z.string(),
  actor_id: z.string().nullable(),
  actor_login: z.string().nullable(),
  method: z.string(),
  route: z.string(),
  url: z.string(),
  status: z.number().int(),
  code: z.string(),
  ip: z.string(),
  /** The socket's own address: the proxy's when `ip` came from a trusted proxy (null before 2026-12-07). */
  socket_ip: z.string().nullable(),
  user_agent: z.string(),
  request_id: z.string(),
  bytes: z.number().int().nullable(),
});
export type SecurityEvent = z.infer<typeof securityEvent>;

export const securityEventQuery = z.strictObject({
  kind: z.enum(securityEventKinds).optional(),
  actor_id: z.string().max(100).optional(),
  ip: z.string().max(100).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  before_id: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(50),
});
export const securityEventPage = z.object({
  items: z.array(securityEvent),
  next_before_id: z.number().int().nullable(),
});
