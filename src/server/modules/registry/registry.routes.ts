import { z } from 'zod';
import { pageOf } from '../../../contracts/common.ts';
import * as contract from '../../../contracts/registry.ts';
import type { Executor } from '../../db/executor.ts';
import { problemResponses, type Api } from '../../shared/http.ts';
import { actorOf, auditContextOf, scopeOfRequest } from '../auth/index.ts';
import * as designations from './designations.service.ts';
import * as enterprises from './enterprises.service.ts';
import * as products from './products.service.ts';
import * as reference from './reference.service.ts';

const codeParam = z.object({ code: z.string().regex(/^[0-9]{6}$/, 'must be a 6-digit administrative division code') });
const productCodeParam = z.object({ code: z.string().max(32) });
const idParam = z.object({ id: z.uuid() });

export async function registryRoutes(api: Api, deps: { db: Executor }): Promise<void> {
  const { db } = deps;
  await referenceRoutes(api, db);
  await enterpriseRoutes(api, db);
  await designationRoutes(api, db);
  await productRoutes(api, db);
}

async function referenceRoutes(api: Api, db: Executor): Promise<void> {
  const tags = ['registry: reference'];
  api.get(
    '/divisions',
    {
      config: { access: 'reference.read' },
      schema: {
        tags,
        summary: 'Administrative divisions: provinces, or the children of `parent`, or a name search',
        querystring: contract.divisionQuery,
        response: { 200: z.array(contract.division), ...problemResponses },
      },
    },
    async (request) => reference.listDivisions(db, request.query),
  );
  api.get(
    '/divisions/:code',
    {
      config: { access: 'reference.read' },
      schema: {
        tags,
        summary: 'One division with its path from the province',
        params: codeParam,
        response: { 200: contract.divisionDetail, ...problemResponses },
      },
    },
    async (request) => reference.getDivision(db, request.params.code),
  );
  api.get(
    '/authorities',
    {
      config: { access: 'reference.read' },
      schema: {
        tags,
        summary: 'Ministries, or the departments at one division',
        querystring: contract.authorityQuery,
        response: { 200: z.array(contract.authority), ...problemResponses },
      },
    },
    async (request) => reference.listAuthorities(db, request.query.division),
  );
  api.get(
    '/groups',
    {
      config: { access: 'reference.read' },
      schema: { tags, summary: 'Rare earth groups', response: { 200: z.array(contract.group), ...problemResponses } },
    },
    async (request) => reference.listGroups(db, scopeOfRequest(request)),
  );
  api.post(
    '/groups',
    {
      config: { access: 'designation.write' },
      schema: {
        tags,
        summary: 'Register a rare earth group',
        body: contract.groupCreateBody,
        response: { 201: contract.group, ...problemResponses },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await reference.createGroup(db, auditContextOf(request), request.body)),
  );
}

async function enterpriseRoutes(api: Api, db: Executor): Promise<void> {
  const tags = ['registry: enterprises'];
  api.get(
    '/enterprises',
    {
      config: { access: 'enterprise.read', reads: 'replica' },
      schema: {
        tags,
        summary: 'Enterprises in your jurisdiction, searchable by name or credit code',
        querystring: contract.enterpriseQuery,
        response: { 200: pageOf(contract.enterprise), ...problemResponses },
      },
    },
    async (request) => enterprises.listEnterprises(request.db, actorOf(request), request.query),
  );
  api.get(
    '/enterprises/export.csv',
    {
      config: { access: 'enterprise.read' },
      schema: {
        tags,
        summary: 'The same list as CSV (UTF-8 with BOM)',
        querystring: contract.enterpriseQuery.omit({ page: true, page_size: true }),
        produces: ['text/csv'],
      },
    },
    async (request, reply) => {
      const csv = await enterprises.exportEnterprisesCsv(db, actorOf(request), request.query);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="enterprises.csv"')
        .send(csv);
    },
  );
  api.post(
    '/enterprises',
    {
      config: { access: 'enterprise.write' },
      schema: {
        tags,
        summary: 'Register an enterprise (the same registration again returns it with 200)',
        body: contract.enterpriseCreateBody,
        response: { 200: contract.enterprise, 201: contract.enterprise, ...problemResponses },
      },
    },
    async (request, reply) => {
      const result = await enterprises.createEnterprise(db, auditContextOf(request), actorOf(request), request.body);
      return reply.code(result.created ? 201 : 200).send(result.enterprise);
    },
  );
  api.get(
    '/enterprises/:id',
    {
      config: { access: 'enterprise.read' },
      schema: {
        tags,
        summary: 'One enterprise',
        params: idParam,
        response: { 200: contract.enterprise, ...problemResponses },
      },
    },
    async (request) => enterprises.getEnterprise(db, actorOf(request), request.params.id),
  );
  api.patch(
    '/enterprises/:id',
    {
      config: { access: 'enterprise.write' },
      schema: {
        tags,
        summary: 'Change an enterprise against the version you saw (history kept)',
        params: idParam,
        body: contract.enterprisePatchBody,
        response: { 200: contract.enterprise, ...problemResponses },
      },
    },
    async (request) =>
      enterprises.updateEnterprise(db, auditContextOf(request), actorOf(request), request.params.id, request.body),
  );
  api.put(
    '/enterprises/:id/security-profile',
    {
      config: { access: 'enterprise.security.write' },
      schema: {
        tags,
        summary: 'Art. 11 network and data security profile',
        params: idParam,
        body: contract.securityProfilePatchBody,
        response: { 200: contract.enterprise, ...problemResponses },
      },
    },
    async (request) =>
      enterprises.updateSecurityProfile(
        db,
        auditContextOf(request),
        actorOf(request),
        request.params.id,
        request.body.expected_version,
        request.body.security_profile,
      ),
  );
  api.get(
    '/enterprises/:id/history',
    {
      config: { access: 'enterprise.read' },
      schema: {
        tags,
        summary: 'Every recorded version, newest first',
        params: idParam,
        response: { 200: z.array(contract.revision), ...problemResponses },
      },
    },
    async (request) => enterprises.enterpriseHistory(db, actorOf(request), request.params.id),
  );
}

async function designationRoutes(api: Api, db: Executor): Promise<void> {
  const tags = ['registry: designations'];
  api.get(
    '/designations',
    {
      config: { access: 'designation.read' },
      schema: {
        tags,
        summary: 'Designations (Art. 7) of enterprises in your jurisdiction',
        querystring: contract.designationQuery,
        response: { 200: pageOf(contract.designation), ...problemResponses },
      },
    },
    async (request) => designations.listDesignations(db, actorOf(request), request.query),
  );
  api.get(
    '/designations/:id',
    {
      config: { access: 'designation.read' },
      schema: {
        tags,
        summary: 'One designation',
        params: idParam,
        response: { 200: contract.designation, ...problemResponses },
      },
    },
    async (request) => designations.getDesignation(db, actorOf(request), request.params.id),
  );
  api.post(
    '/designations',
    {
      config: { access: 'designation.write', stepUp: true },
      schema: {
        tags,
        summary: 'Designate an enterprise for mining or separation',
        body: contract.designationCreateBody,
        response: { 200: contract.designation, 201: contract.designation, ...problemResponses },
      },
    },
    async (request, reply) => {
      const result = await designations.createDesignation(db, auditContextOf(request), actorOf(request), request.body);
      return reply.code(result.created ? 201 : 200).send(result.designation);
    },
  );
  api.post(
    '/designations/:id/revoke',
    {
      config: { access: 'designation.write', stepUp: true },
      schema: {
        tags,
        summary: 'Revoke a designation (recorded once; the original terms stay)',
        params: idParam,
        body: contract.designationRevokeBody,
        response: { 200: contract.designation, ...problemResponses },
      },
    },
    async (request) =>
      designations.revokeDesignation(db, auditContextOf(request), actorOf(request), request.params.id, request.body),
  );
}

async function productRoutes(api: Api, db: Executor): Promise<void> {
  const tags = ['registry: products'];
  api.get(
    '/products',
    {
      config: { access: 'reference.read' },
      schema: {
        tags,
        summary: 'The product catalogue with REO conversion',
        querystring: contract.productQuery,
        response: { 200: pageOf(contract.product), ...problemResponses },
      },
    },
    async (request) => products.listProducts(db, request.query),
  );
  api.get(
    '/products/:code',
    {
      config: { access: 'reference.read' },
      schema: {
        tags,
        summary: 'One product',
        params: productCodeParam,
        response: { 200: contract.product, ...problemResponses },
      },
    },
    async (request) => products.getProduct(db, request.params.code),
  );
  api.post(
    '/products',
    {
      config: { access: 'product.write' },
      schema: {
        tags,
        summary: 'Add a catalogue entry (the same entry again returns it with 200)',
        body: contract.productCreateBody,
        response: { 200: contract.product, 201: contract.product, ...problemResponses },
      },
    },
    async (request, reply) => {
      const result = await products.createProduct(db, auditContextOf(request), actorOf(request), request.body);
      return reply.code(result.created ? 201 : 200).send(result.product);
    },
  );
  api.patch(
    '/products/:code',
    {
      config: { access: 'product.write' },
      schema: {
        tags,
        summary: 'Change a catalogue entry against the version you saw',
        params: productCodeParam,
        body: contract.productPatchBody,
        response: { 200: contract.product, ...problemResponses },
      },
    },
    async (request) =>
      products.updateProduct(db, auditContextOf(request), actorOf(request), request.params.code, request.body),
  );
  api.get(
    '/products/:code/history',
    {
      config: { access: 'reference.read' },
      schema: {
        tags,
        summary: 'Every recorded version, newest first',
        params: productCodeParam,
        response: { 200: z.array(contract.revision), ...problemResponses },
      },
    },
    async (request) => products.productHistory(db, request.params.code),
  );
}
