import { z } from 'zod';
import * as contract from '../../../contracts/allocation.ts';
import type { Executor } from '../../db/executor.ts';
import { problemResponses, type Api } from '../../shared/http.ts';
import { actorOf, auditContextOf } from '../auth/index.ts';
import * as service from './allocation.service.ts';
import * as notices from './notices.service.ts';

const idParam = z.object({ id: z.uuid() });

export function allocationRoutes(api: Api, deps: { db: Executor }): void {
  const { db } = deps;
  const tags = ['allocation'];
  api.get(
    '/allocation/input',
    {
      config: { access: 'allocation.write' },
      schema: {
        tags,
        summary: 'The engine input for a batch and category, built from the register (edit it for a what-if)',
        querystring: contract.inputQuery,
        response: { 200: contract.engineInput, ...problemResponses },
      },
    },
    async (request) => (await service.buildInput(db, request.query)).input,
  );
  api.post(
    '/allocation/what-if',
    {
      config: { access: 'allocation.write' },
      schema: {
        tags,
        summary: 'Run the engine on any input; nothing is saved',
        body: contract.engineInput,
        response: { 200: contract.engineResult, ...problemResponses },
      },
    },
    async (request) => service.whatIf(request.body),
  );
  api.post(
    '/allocation/compare',
    {
      config: { access: 'allocation.write' },
      schema: {
        tags,
        summary: 'Two what-if runs side by side, holder by holder',
        body: contract.compareBody,
        response: { 200: contract.comparison, ...problemResponses },
      },
    },
    async (request) => service.compare(request.body.a, request.body.b),
  );
  api.get(
    '/allocation-runs',
    {
      config: { access: 'allocation.read' },
      schema: {
        tags,
        summary: 'Allocation runs (shares limited to your jurisdiction)',
        querystring: contract.runQuery,
        response: { 200: z.array(contract.run), ...problemResponses },
      },
    },
    async (request) => service.listRuns(db, actorOf(request), request.query),
  );
  api.post(
    '/allocation-runs',
    {
      config: { access: 'allocation.write' },
      schema: {
        tags,
        summary: 'Propose an allocation: by the engine, or manual amounts checked the same way',
        body: contract.runCreateBody,
        response: { 201: contract.run, ...problemResponses },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await service.createRun(db, auditContextOf(request), actorOf(request), request.body)),
  );
  api.get(
    '/allocation-runs/:id',
    {
      config: { access: 'allocation.read' },
      schema: {
        tags,
        summary: 'One run with its explained shares',
        params: idParam,
        response: { 200: contract.run, ...problemResponses },
      },
    },
    async (request) => service.getRun(db, actorOf(request), request.params.id),
  );
  api.post(
    '/allocation-runs/:id/approve',
    {
      config: { access: 'allocation.write', stepUp: true },
      schema: {
        tags,
        summary: 'Approve a proposed run (a second official, not its proposer)',
        params: idParam,
        response: { 200: contract.run, ...problemResponses },
      },
    },
    async (request) => service.approveRun(db, auditContextOf(request), actorOf(request), request.params.id),
  );
  api.post(
    '/allocation-runs/:id/issue',
    {
      config: { access: 'allocation.write', stepUp: true },
      schema: {
        tags,
        summary: 'Issue an approved run: ledger entries and notices, in one transaction',
        params: idParam,
        response: { 200: contract.run, ...problemResponses },
      },
    },
    async (request) => service.issue(db, auditContextOf(request), actorOf(request), request.params.id),
  );
  api.get(
    '/allocation-runs/:id/receipts',
    {
      config: { access: 'allocation.read' },
      schema: {
        tags,
        summary: "A run's notices and read receipts; unread_after_days keeps those unread that long",
        params: idParam,
        querystring: contract.receiptsQuery,
        response: { 200: z.array(contract.notice), ...problemResponses },
      },
    },
    async (request) => notices.receipts(db, actorOf(request), request.params.id, request.query.unread_after_days),
  );
  api.get(
    '/notices',
    {
      config: { access: 'notice.read' },
      schema: {
        tags: ['notices'],
        summary: 'Notices addressed to my enterprise or department',
        response: { 200: z.array(contract.notice), ...problemResponses },
      },
    },
    async (request) => notices.myNotices(db, actorOf(request)),
  );
  api.post(
    '/notices/:id/read',
    {
      config: { access: 'notice.read' },
      schema: {
        tags: ['notices'],
        summary: 'Give the read receipt',
        params: idParam,
        response: { 200: contract.notice, ...problemResponses },
      },
    },
    async (request) => notices.markRead(db, auditContextOf(request), actorOf(request), request.params.id),
  );
  api.post(
    '/notices/:id/forward',
    {
      config: { access: 'notice.forward', stepUp: true },
      schema: {
        tags: ['notices'],
        summary: 'Forward a notice to the county departments (provincial departments)',
        params: idParam,
        response: { 200: z.array(contract.notice), ...problemResponses },
      },
    },
    async (request) => notices.forward(db, auditContextOf(request), actorOf(request), request.params.id),
  );
}
