import { dashboardQuery, dashboardView, indicatorHistory, type DashboardView } from '../../../contracts/dashboard.ts';
import { noneMatchHits } from '../../shared/etag.rules.ts';
import { problemResponses, type Api } from '../../shared/http.ts';
import { actorOf } from '../auth/index.ts';
import { chinaMapSource } from './china-map.ts';
import { rememberedDashboards } from './dashboard.service.ts';
import { indicatorHistory as publishedHistory } from './indicator-history.ts';

/** How long browsers and proxies may keep the map before asking again (with its ETag). */
const MAP_MAX_AGE_SECONDS = 3600;
const MAP_TYPE = 'application/geo+json';

export interface DashboardDeps {
  readonly clock: () => Date;
  /** CHINA_MAP_FILE of the server's config; read from the environment when not given. */
  readonly chinaMapFile: string;
  /** DASHBOARD_CACHE_SECONDS of the server's config. */
  readonly cacheSeconds: number;
}

/** The national and jurisdiction dashboards, the published indicator history and the province map. */
export function dashboardRoutes(api: Api, deps: DashboardDeps): void {
  const { clock } = deps;
  const tags = ['dashboard'];
  const mapOf = chinaMapSource(deps.chinaMapFile);
  const dashboard = rememberedDashboards({ maxEntries: 500, maxAgeMs: deps.cacheSeconds * 1000 });
  // A remembered answer is the same object each time: checked against its schema and written once (as the
  // serializer would, shared/serializer.ts), then sent as it is.
  const written = new WeakMap<object, string>();

  api.get(
    '/dashboard',
    {
      config: { access: 'report.read', reads: 'replica' },
      schema: {
        tags,
        summary:
          'Indicator execution of a year by province (or by child division) and by enterprise, against the year ' +
          'elapsed; monthly production; open anomalies; overdue reports. Officials only, within their division',
        querystring: dashboardQuery,
        response: { 200: dashboardView, ...problemResponses },
      },
    },
    async (request, reply) => {
      const answer = await dashboard(request.db, actorOf(request), request.query, clock());
      let json = written.get(answer);
      if (json === undefined) {
        json = JSON.stringify(dashboardView.parse(answer));
        written.set(answer, json);
      }
      // The typed reply names the object; a JSON string is sent by Fastify as it is, without serializing again.
      return reply.type('application/json; charset=utf-8').send(json as unknown as DashboardView);
    },
  );

  api.get(
    '/dashboard/indicator-history',
    {
      config: { access: 'reference.read' },
      schema: {
        tags,
        summary: 'The published national total control indicators of past years (tonnes REO; null: not published)',
        response: { 200: indicatorHistory, ...problemResponses },
      },
    },
    async () => publishedHistory(),
  );

  api.get(
    '/public/maps/china',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary:
          'The GeoJSON province map the dashboards draw (public; a schematic, not an approved standard map, ' +
          'unless the operator configured one)',
        description:
          'A GeoJSON FeatureCollection (RFC 7946) whose features carry `properties.id`, the 2-digit province code ' +
          'prefix, and `properties.name`. Cached for an hour; send If-None-Match with its ETag for a 304.',
        security: [],
        produces: [MAP_TYPE],
      },
      // After the app-wide hook that marks API answers no-store: the map is the same for everyone.
      onSend: async (_request, reply, payload) => {
        if (reply.statusCode === 200 || reply.statusCode === 304)
          reply.header('cache-control', `public, max-age=${MAP_MAX_AGE_SECONDS}`);
        return payload;
      },
    },
    async (request, reply) => {
      const map = await mapOf();
      reply.header('etag', map.etag);
      if (noneMatchHits(request.headers['if-none-match'], map.etag)) return reply.code(304).send();
      return reply.type(MAP_TYPE).send(map.body);
    },
  );
}
