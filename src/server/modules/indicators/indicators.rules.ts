import type { BatchStatus } from '../../db/schema.ts';

export type BatchAction = 'edit' | 'cosign' | 'submit' | 'approve';

/** The Art. 5 lifecycle of a batch: what may happen in which state. */
export function allowedIn(action: BatchAction, status: BatchStatus): boolean {
  switch (action) {
    case 'edit':
      return status === 'draft';
    case 'cosign':
      return status === 'draft';
    case 'submit':
      return status === 'cosigned';
    case 'approve':
      return status === 'submitted';
  }
}

export const REQUIRED_COSIGNERS = ['MNR', 'NDRC'] as const;

/** After a co-signature: cosigned once both MNR and NDRC have signed. */
export function statusAfterCosign(signed: readonly string[]): BatchStatus {
  return REQUIRED_COSIGNERS.every((authority) => signed.includes(authority)) ? 'cosigned' : 'draft';
}
