import { z } from 'zod';
import {
  batchNode,
  batchSearchQuery,
  certificate,
  certificateVerification,
  traceBack,
  traceForward,
} from '../../../contracts/trace.ts';
import type { Executor } from '../../db/executor.ts';
import { problemResponses, type Api } from '../../shared/http.ts';
import { actorOf, auditContextOf } from '../auth/index.ts';
import { boundedMemory } from '../../shared/bounded-memory.ts';
import { etagOf, noneMatchHits } from '../../shared/etag.rules.ts';
import { certificateQr, issueCertificate, rememberedCertificateChecks } from './certificates.service.ts';
import { findBatches, getBatch, traceBackward, traceForwardOf } from './trace.service.ts';

const batchParam = z.object({ id: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) });
const codeParam = z.object({
  code: z.string().regex(/^[0-9A-Fa-f]{5}(-[0-9A-Fa-f]{5}){3}$/, 'is not a certificate code'),
});

/** Certificates whose check answers are remembered, and QR codes of their check pages, per process. */
const REMEMBERED_CERTIFICATES = 10_000;

export function traceRoutes(api: Api, deps: { db: Executor; certificateCacheSeconds: number }): void {
  const { db, certificateCacheSeconds } = deps;
  const checkCertificate = rememberedCertificateChecks({
    maxEntries: REMEMBERED_CERTIFICATES,
    maxAgeMs: certificateCacheSeconds * 1000,
  });
  const qrCodes = boundedMemory<string, string>(REMEMBERED_CERTIFICATES);
  const qrOf = async (url: string) => {
    const known = qrCodes.get(url);
    if (known !== undefined) return known;
    const svg = await certificateQr(url);
    qrCodes.set(url, svg);
    return svg;
  };
  const cacheControl = certificateCacheSeconds > 0 ? `public, max-age=${certificateCacheSeconds}` : 'no-cache';
  const tags = ['trace'];
  api.get(
    '/batches',
    {
      config: { access: 'flow.read', reads: 'replica' },
      schema: {
        tags,
        summary: 'Batches of a code (and maker) that you may trace',
        querystring: batchSearchQuery,
        response: { 200: z.array(batchNode), ...problemResponses },
      },
    },
    async (request) => findBatches(request.db, actorOf(request), request.query.code, request.query.maker),
  );
  api.get(
    '/batches/:id',
    {
      config: { access: 'flow.read', reads: 'replica' },
      schema: { tags, summary: 'A batch', params: batchParam, response: { 200: batchNode, ...problemResponses } },
    },
    async (request) => getBatch(request.db, actorOf(request), request.params.id),
  );
  api.get(
    '/batches/:id/trace/back',
    {
      config: { access: 'flow.read', reads: 'replica' },
      schema: {
        tags,
        summary: "Back to the mines and imports: each origin's exact REO kg and its path",
        params: batchParam,
        response: { 200: traceBack, ...problemResponses },
      },
    },
    async (request) => traceBackward(request.db, actorOf(request), request.params.id),
  );
  api.get(
    '/batches/:id/trace/forward',
    {
      config: { access: 'flow.read', reads: 'replica' },
      schema: {
        tags,
        summary: 'Forward to every batch made from it, every holder and export',
        params: batchParam,
        response: { 200: traceForward, ...problemResponses },
      },
    },
    async (request) => traceForwardOf(request.db, actorOf(request), request.params.id),
  );
  api.post(
    '/batches/:id/certificates',
    {
      config: { access: 'certificate.issue' },
      schema: {
        tags,
        summary: 'Issue (or fetch) the provenance certificate of a batch',
        params: batchParam,
        response: { 201: certificate, 200: certificate, ...problemResponses },
      },
    },
    async (request, reply) => {
      const issued = await issueCertificate(db, actorOf(request), auditContextOf(request), request.params.id);
      const verifyPath = `/verify/${issued.code}`;
      const origin = `${request.protocol}://${request.host}`;
      return reply.code(issued.replayed ? 200 : 201).send({
        code: issued.code,
        content: issued.content,
        content_sm3: issued.content_sm3,
        qr_svg: await certificateQr(`${origin}${verifyPath}`),
        verify_path: verifyPath,
      });
    },
  );
  api.get(
    '/public/certificates/:code',
    {
      config: { access: 'public', reads: 'replica' },
      schema: {
        tags,
        summary:
          'Check a provenance certificate against the sealed declarations (public; shows only what the certificate states)',
        security: [],
        params: codeParam,
        headers: z.looseObject({ 'if-none-match': z.string().max(2000).optional() }),
        response: {
          200: certificateVerification,
          304: z.null().describe('Not modified: the answer whose ETag was sent in If-None-Match still holds'),
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const checked = await checkCertificate(request.db, request.params.code);
      const verifyUrl = `${request.protocol}://${request.host}/verify/${checked.code}`;
      // The tag covers the answer and the QR code's address (it follows the host the check was asked on).
      const etag = etagOf(`${verifyUrl}\n${JSON.stringify(checked)}`);
      void reply.header('etag', etag).header('cache-control', cacheControl);
      if (noneMatchHits(request.headers['if-none-match'], etag)) return reply.code(304).send(null);
      return reply.code(200).send({ ...checked, qr_svg: await qrOf(verifyUrl) });
    },
  );
}
