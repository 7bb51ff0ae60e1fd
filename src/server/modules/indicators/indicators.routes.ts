import { z } from 'zod';
import * as contract from '../../../contracts/indicators.ts';
import type { Executor } from '../../db/executor.ts';
import { problemResponses, type Api } from '../../shared/http.ts';
import { actorOf, auditContextOf } from '../auth/index.ts';
import * as service from './indicators.service.ts';

const idParam = z.object({ id: z.uuid() });

export function indicatorRoutes(api: Api, deps: { db: Executor }): void {
  const { db } = deps;
  const tags = ['indicators'];
  api.get(
    '/indicator-plans',
    {
      config: { access: 'indicator.read' },
      schema: {
        tags,
        summary: 'Annual indicator plans with their batches',
        response: { 200: z.array(contract.plan), ...problemResponses },
      },
    },
    async () => service.listPlans(db),
  );
  api.post(
    '/indicator-plans',
    {
      config: { access: 'indicator.draft' },
      schema: {
        tags,
        summary: "Draft a year's plan (Art. 5 factors, allocation weights)",
        body: contract.planCreateBody,
        response: { 201: contract.plan, ...problemResponses },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await service.createPlan(db, auditContextOf(request), actorOf(request), request.body)),
  );
  api.get(
    '/indicator-plans/:year',
    {
      config: { access: 'indicator.read' },
      schema: {
        tags,
        summary: "One year's plan",
        params: contract.yearParam,
        response: { 200: contract.plan, ...problemResponses },
      },
    },
    async (request) => service.getPlan(db, request.params.year),
  );
  api.post(
    '/indicator-plans/:year/batches',
    {
      config: { access: 'indicator.draft' },
      schema: {
        tags,
        summary: 'Draft a batch (first, second, … or the reserve) with its category totals',
        params: contract.yearParam,
        body: contract.batchCreateBody,
        response: { 201: contract.batch, ...problemResponses },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(
          await service.createBatch(db, auditContextOf(request), actorOf(request), request.params.year, request.body),
        ),
  );
  api.get(
    '/indicator-batches/:id',
    {
      config: { access: 'indicator.read' },
      schema: { tags, summary: 'One batch', params: idParam, response: { 200: contract.batch, ...problemResponses } },
    },
    async (request) => service.getBatch(db, request.params.id),
  );
  api.put(
    '/indicator-batches/:id/totals',
    {
      config: { access: 'indicator.draft' },
      schema: {
        tags,
        summary: "Change a draft batch's totals (clears co-signatures)",
        params: idParam,
        body: contract.batchTotalsBody,
        response: { 200: contract.batch, ...problemResponses },
      },
    },
    async (request) => service.replaceTotals(db, auditContextOf(request), request.params.id, request.body),
  );
  api.post(
    '/indicator-batches/:id/cosign',
    {
      config: { access: 'indicator.cosign', stepUp: true },
      schema: {
        tags,
        summary: 'Co-sign a draft batch for MNR or NDRC',
        params: idParam,
        response: { 200: contract.batch, ...problemResponses },
      },
    },
    async (request) => service.cosign(db, auditContextOf(request), actorOf(request), request.params.id),
  );
  api.post(
    '/indicator-batches/:id/submit',
    {
      config: { access: 'indicator.draft' },
      schema: {
        tags,
        summary: 'Submit a co-signed batch to the State Council',
        params: idParam,
        response: { 200: contract.batch, ...problemResponses },
      },
    },
    async (request) => service.submit(db, auditContextOf(request), actorOf(request), request.params.id),
  );
  api.post(
    '/indicator-batches/:id/approve',
    {
      config: { access: 'indicator.approve', stepUp: true },
      schema: {
        tags,
        summary: "Record the State Council's approval (not by the drafter); totals enter the national pool",
        params: idParam,
        body: contract.batchApproveBody,
        response: { 200: contract.batch, ...problemResponses },
      },
    },
    async (request) => service.approve(db, auditContextOf(request), actorOf(request), request.params.id, request.body),
  );
}
