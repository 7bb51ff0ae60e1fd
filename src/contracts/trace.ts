import { z } from 'zod';
import { kg } from './common.ts';

/** Traceability: a batch's lineage back to its mines and imports, and forward to its holders and exports. */

export const batchNode = z.object({
  id: z.number().int(),
  code: z.string(),
  product: z.string(),
  origin_kind: z.enum(['mine', 'import', 'transform']),
  maker: z.object({ name: z.string(), credit_code: z.string() }),
  made_by_event: z.string(),
  made_at: z.string(),
  mass_kg: kg,
  reo_kg: kg,
});
export type BatchNodeView = z.infer<typeof batchNode>;

export const lineageEdge = z.object({ parent_id: z.number().int(), child_id: z.number().int(), reo_kg: kg });

export const traceBack = z.object({
  batch: batchNode,
  origins: z.array(
    z.object({
      batch: batchNode,
      reo_kg: kg,
      /** The origin's share of the batch's REO, in ppm (the kg are exact; this is for display). */
      share_ppm: z.number().int(),
      /** Batch ids from the traced batch up to this origin, along the heaviest edges. */
      path: z.array(z.number().int()),
    }),
  ),
  nodes: z.array(batchNode),
  edges: z.array(lineageEdge),
});

export const movementView = z.object({
  batch_id: z.number().int(),
  kind: z.enum(['ship', 'receive', 'export']),
  event_id: z.string(),
  event_time: z.string(),
  /** Who recorded it; null where the caller may not know (another enterprise's customers). */
  enterprise: z.object({ name: z.string(), credit_code: z.string() }).nullable(),
  counterparty_name: z.string().nullable(),
  country: z.string().nullable(),
  mass_kg: kg,
  reo_kg: kg,
  path: z.array(z.number().int()),
});

export const traceForward = z.object({
  batch: batchNode,
  nodes: z.array(batchNode),
  edges: z.array(lineageEdge),
  movements: z.array(movementView),
});

export const batchSearchQuery = z.object({
  code: z.string().trim().min(1).max(64),
  maker: z.string().length(18).optional(),
});

const party = z.object({ name: z.string(), credit_code: z.string() });
export const certificateContent = z.object({
  batch: z.object({
    code: z.string(),
    product: z.string(),
    maker: party,
    made_at: z.string(),
    mass_kg: kg,
    reo_kg: kg,
  }),
  origins: z.array(
    z.object({
      code: z.string(),
      product: z.string(),
      kind: z.string(),
      maker: party,
      reo_kg: kg,
      share_ppm: z.number().int(),
    }),
  ),
  /** The enterprise-months whose declarations record the making events, with the seal they had at issue. */
  declarations: z.array(
    z.object({
      credit_code: z.string(),
      period: z.string(),
      version: z.number().int().nullable(),
      events_sm3: z.string().nullable(),
    }),
  ),
});
export type CertificateContent = z.infer<typeof certificateContent>;

export const certificate = z.object({
  code: z.string(),
  content: certificateContent,
  content_sm3: z.string(),
  /** The QR code of the public check (`verify_path` on this server), as SVG. */
  qr_svg: z.string(),
  verify_path: z.string(),
});

export const verificationStatus = z.enum(['verified', 'not_yet_sealed', 'altered']);
export const certificateVerification = z.object({
  code: z.string(),
  issued_at: z.string(),
  content: certificateContent,
  content_sm3: z.string(),
  status: verificationStatus,
  declarations: z.array(
    z.object({
      credit_code: z.string(),
      period: z.string(),
      sealed_version: z.number().int().nullable(),
      status: verificationStatus,
    }),
  ),
  qr_svg: z.string(),
});
