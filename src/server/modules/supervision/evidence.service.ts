import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { EvidenceView } from '../../../contracts/supervision.ts';
import type { Executor } from '../../db/executor.ts';
import { limitedBody } from '../../shared/body.ts';
import { conflict, DomainError, invalid, notFound } from '../../shared/errors.ts';
import { idempotentWrite } from '../../shared/idempotency.ts';
import { recordAudit, type AuditContext } from '../audit/index.ts';
import { scopeOf, type Actor } from '../auth/index.ts';
import { evidenceViewOf, visibleInspection } from './inspections.service.ts';
import * as repo from './supervision.repository.ts';
import { evidenceTypeOf } from './evidence.types.ts';
import { declarableEvidenceTypes, MAX_EVIDENCE_BYTES, MAX_EVIDENCE_FILES } from './supervision.rules.ts';
import { actingUnit, assertWriter } from './supervision.shared.ts';

/** Evidence files of inspections: size-limited, typed by their bytes, hashed (SHA-256, SM3), stored once. */

export const evidenceTooLarge = (): DomainError =>
  new DomainError(
    413,
    'body_too_large',
    `An evidence file may be at most ${MAX_EVIDENCE_BYTES / 1024 / 1024} MB; send a smaller scan or split it.`,
  );

const refusedType = (detail: string): DomainError => new DomainError(415, 'unsupported_type', detail);

/** Reads the request body into memory, refusing it as soon as it passes the limit (the rest is drained). */
export async function readLimited(source: Readable, limitBytes = MAX_EVIDENCE_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of limitedBody(source, limitBytes, evidenceTooLarge)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** The declared type without parameters, lower case. */
const mediaType = (declared: string | undefined) => (declared ?? '').split(';')[0]!.trim().toLowerCase();

/**
 * Attaches a file to an inspection. The bytes decide its type (PDF, JPEG, PNG, XLSX, DOCX); a declared type that
 * says otherwise is refused. The same bytes on the same inspection again: the first record (replayed).
 */
export async function attachEvidence(
  db: Executor,
  actor: Actor,
  audit: AuditContext,
  inspectionId: string,
  file: { name: string; declaredType: string | undefined; bytes: Buffer },
): Promise<{ evidence: EvidenceView; replayed: boolean }> {
  actingUnit(actor);
  const inspection = await visibleInspection(db, actor, inspectionId);
  assertWriter(actor, inspection, 'line', 'Attaching evidence to this inspection');
  const { bytes } = file;
  if (bytes.length === 0) throw invalid('The file is empty: send the file as the request body.');
  if (bytes.length > MAX_EVIDENCE_BYTES) throw evidenceTooLarge();
  const sniffed = await evidenceTypeOf(bytes);
  const declared = mediaType(file.declaredType);
  if (!sniffed)
    throw refusedType(
      'The file is not a PDF, JPEG, PNG, XLSX or DOCX by its content; evidence is kept in those formats only.',
    );
  if (!declarableEvidenceTypes.includes(declared))
    throw refusedType(`Files declared as ${declared || 'nothing'} are not taken; send ${sniffed}.`);
  if (declared !== 'application/octet-stream' && declared !== sniffed)
    throw refusedType(`The file was declared as ${declared}, but its content is ${sniffed}.`);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const sm3 = createHash('sm3').update(bytes).digest('hex');
  const result = await idempotentWrite(
    db,
    { scope: 'inspection.evidence', owner: inspectionId, key: sm3 },
    {
      replay: (tx) => repo.attachedEvidence(tx, inspectionId, sm3),
      write: async (tx) => {
        if ((await repo.evidenceOf(tx, inspectionId)).length >= MAX_EVIDENCE_FILES)
          throw conflict(`An inspection holds at most ${MAX_EVIDENCE_FILES} evidence files.`);
        await repo.storeContent(tx, { sm3, sha256, content_type: sniffed, size_bytes: bytes.length, content: bytes });
        const id = await repo.attachEvidence(tx, {
          inspection_id: inspectionId,
          content_sm3: sm3,
          file_name: file.name,
          uploaded_by: actor.login,
        });
        await recordAudit(tx, audit, {
          action: 'inspection.evidence',
          objectType: 'evidence_file',
          objectId: id,
          after: {
            inspection_id: inspectionId,
            file_name: file.name,
            content_type: sniffed,
            size_bytes: bytes.length,
            sha256,
            sm3,
          },
        });
        const stored = await repo.attachedEvidence(tx, inspectionId, sm3);
        if (!stored) throw notFound(`Evidence of inspection ${inspectionId}`);
        return stored;
      },
    },
  );
  return { evidence: evidenceViewOf(result.value), replayed: result.replayed };
}

/** An evidence file's bytes, for a caller who may see its inspection; 404 otherwise. */
export async function evidenceContent(db: Executor, actor: Actor, id: string) {
  const row = await repo.evidenceWithContent(db, scopeOf(actor), id);
  if (!row) throw notFound(`Evidence file ${id}`);
  return { ...evidenceViewOf(row), content: Buffer.from(row.content) };
}
