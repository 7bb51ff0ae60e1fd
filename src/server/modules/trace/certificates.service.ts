import QRCode from 'qrcode';
import type { CertificateContent } from '../../../contracts/trace.ts';
import type { Executor } from '../../db/executor.ts';
import { canonicalJson, sm3Hex } from '../../shared/canonical-json.ts';
import { notFound } from '../../shared/errors.ts';
import { recordAudit, type AuditContext } from '../audit/index.ts';
import { scopeOf, type Actor } from '../auth/index.ts';
import { monthDigest, monthMarks, periodOf, sealsOf } from '../flows/index.ts';
import { boundedMemory } from '../../shared/bounded-memory.ts';
import { shareOfPpm } from './trace.rules.ts';
import { backwardView, lineageUp } from './trace.service.ts';

/**
 * Provenance certificates: a batch, its origins with their exact REO kg, and the declarations (sealed months)
 * that record the events making them. Anyone holding the code can check it on the public endpoint, which
 * re-hashes those months and shows only what the certificate states.
 */

export async function issueCertificate(db: Executor, actor: Actor, audit: AuditContext, batchId: number) {
  const lineage = await lineageUp(db, scopeOf(actor), batchId); // 404 outside scope
  const trace = backwardView(lineage);
  const node = lineage.nodes[0]!;
  const byId = new Map(lineage.nodes.map((batch) => [batch.id, batch]));
  const makers = new Map<string, { id: string; code: string; period: string }>();
  const addMaker = (id: string, code: string, madeAt: Date) => {
    const period = periodOf(madeAt);
    makers.set(`${id}|${period}`, { id, code, period });
  };
  addMaker(node.maker_id, node.maker_code, node.made_at);
  for (const { origin_id } of lineage.origins) {
    const origin = byId.get(origin_id)!;
    addMaker(origin.maker_id, origin.maker_code, origin.made_at);
  }
  const declarations: CertificateContent['declarations'] = [];
  for (const maker of [...makers.values()].sort((a, b) =>
    `${a.code}${a.period}`.localeCompare(`${b.code}${b.period}`),
  )) {
    const last = (await sealsOf(db, [maker.id], [maker.period])).at(-1);
    declarations.push({
      credit_code: maker.code,
      period: maker.period.slice(0, 7),
      version: last?.version ?? null,
      events_sm3: last?.events_sm3 ?? null,
    });
  }
  const content: CertificateContent = {
    batch: {
      code: trace.batch.code,
      product: trace.batch.product,
      maker: trace.batch.maker,
      made_at: trace.batch.made_at,
      mass_kg: trace.batch.mass_kg,
      reo_kg: trace.batch.reo_kg,
    },
    origins: trace.origins.map((origin) => ({
      code: origin.batch.code,
      product: origin.batch.product,
      kind: origin.batch.origin_kind,
      maker: origin.batch.maker,
      reo_kg: origin.reo_kg,
      share_ppm: shareOfPpm(origin.reo_kg, trace.batch.reo_kg),
    })),
    declarations,
  };
  const contentSm3 = sm3Hex(canonicalJson(content));
  const code = contentSm3
    .slice(0, 20)
    .toUpperCase()
    .replace(/(.{5})(?=.)/g, '$1-');
  return db.transaction().execute(async (tx) => {
    const existing = await tx.selectFrom('certificate').select('code').where('code', '=', code).executeTakeFirst();
    if (!existing) {
      await tx
        .insertInto('certificate')
        .values({
          code,
          batch_id: batchId,
          content: JSON.stringify(content),
          content_sm3: contentSm3,
          issued_by: actor.login,
        })
        .execute();
      await recordAudit(tx, audit, {
        action: 'certificate.issue',
        objectType: 'certificate',
        objectId: code,
        after: { batch_id: batchId, content_sm3: contentSm3 },
      });
    }
    return { code, content, content_sm3: contentSm3, replayed: existing !== undefined };
  });
}

/** The QR code of a certificate's public check, as SVG. */
export async function certificateQr(verifyUrl: string): Promise<string> {
  return QRCode.toString(verifyUrl, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
}

export type VerificationStatus = 'verified' | 'not_yet_sealed' | 'altered';

/**
 * The public check: the certificate as issued, and for each declaration it cites whether the month is sealed
 * and still hashes to what was sealed. Nothing beyond the certificate's own content is revealed.
 */
export async function verifyCertificate(db: Executor, code: string) {
  return checkCertificate(db, await certificateRow(db, code));
}

export type CertificateVerification = Awaited<ReturnType<typeof verifyCertificate>>;

async function certificateRow(db: Executor, code: string) {
  const row = await db.selectFrom('certificate').selectAll().where('code', '=', code.toUpperCase()).executeTakeFirst();
  if (!row) throw notFound(`Certificate ${code}`);
  return row;
}

async function checkCertificate(db: Executor, row: Awaited<ReturnType<typeof certificateRow>>) {
  const content = row.content as CertificateContent;
  const ids = new Map(
    (
      await db
        .selectFrom('enterprise')
        .select(['id', 'credit_code'])
        .where(
          'credit_code',
          'in',
          content.declarations.map((d) => d.credit_code),
        )
        .execute()
    ).map((e) => [e.credit_code, e.id]),
  );
  const checks = [];
  for (const declaration of content.declarations) {
    const enterpriseId = ids.get(declaration.credit_code);
    const period = `${declaration.period}-01`;
    const seals = enterpriseId ? await sealsOf(db, [enterpriseId], [period]) : [];
    const latest = seals.at(-1);
    const digest = enterpriseId && latest ? await monthDigest(db, enterpriseId, period) : null;
    const status: VerificationStatus = !latest
      ? 'not_yet_sealed'
      : digest?.sm3 === latest.events_sm3
        ? 'verified'
        : 'altered';
    checks.push({
      credit_code: declaration.credit_code,
      period: declaration.period,
      sealed_version: latest?.version ?? null,
      status,
    });
  }
  const status: VerificationStatus = checks.some((check) => check.status === 'altered')
    ? 'altered'
    : checks.some((check) => check.status === 'not_yet_sealed')
      ? 'not_yet_sealed'
      : 'verified';
  const contentIntact = sm3Hex(canonicalJson(content)) === row.content_sm3;
  return {
    code: row.code,
    issued_at: row.issued_at.toISOString(),
    content,
    content_sm3: row.content_sm3,
    status: contentIntact ? status : 'altered',
    declarations: checks,
  };
}

/**
 * The public check with a memory (docs/flows.md, "Provenance certificates"): a certificate's own content never changes, but its
 * status follows the months it cites. A remembered answer is given again while those months' marks (their latest
 * seal, their count of live and superseded lines: `monthMarks`, one small query) are unchanged and it is younger than
 * `maxAgeMs`; after that the months are hashed again, which is what sees a change made outside Monazite. The marks
 * are read before the months are hashed, so a change made while they hash shows at the next check.
 */
export function rememberedCertificateChecks(options: { maxEntries: number; maxAgeMs: number }) {
  const remembered = boundedMemory<string, { answer: CertificateVerification; marks: string; checkedAt: number }>(
    options.maxEntries,
  );
  return async (db: Executor, code: string): Promise<CertificateVerification> => {
    const key = code.toUpperCase();
    const now = Date.now();
    const entry = remembered.get(key);
    if (entry && now - entry.checkedAt < options.maxAgeMs) {
      if ((await monthMarks(db, entry.answer.content.declarations)) === entry.marks) return entry.answer;
      remembered.delete(key);
    }
    const row = await certificateRow(db, key);
    const marks = await monthMarks(db, (row.content as CertificateContent).declarations);
    const answer = await checkCertificate(db, row);
    if (options.maxAgeMs > 0) remembered.set(key, { answer, marks, checkedAt: now });
    return answer;
  };
}
