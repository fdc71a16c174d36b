/**
 * The SCIM 2.0 door: `/scim/v2/...` on the HTTP API. The transport middlewares it shares with the other doors (the
 * raw body, size-limited), then the bearer token, then the route. Answers are SCIM's own: `application/scim+json`,
 * resources and ListResponses, and the Error schema (RFC 7644 §3.12) with Retry-After when the IdP should come back.
 * One log line per request: operation, resource id, status, outcome, events applied, DocSpace calls; never an
 * e-mail or a token.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { DocSpaceFor } from '../docspace/ports';
import type { ScimGroups } from './groups';
import { exchangeOf, isHttpApiEvent, type DoorRequest } from '../http/exchange';
import { rawBody } from '../http/rawBody';
import { logger } from '../log';
import { countEvent, countScimRequest, flushMetrics } from '../metrics/record';
import { ConfigurationError } from '../outcome';
import type { Secrets } from '../secrets/secrets';
import { bearerToken, SCIM_TOKEN_KEY } from './auth';
import { badRequest, notFound, ScimFailure, scimErrorOf } from './errors';
import { ERROR_SCHEMA, listResponse, resourceTypes, schemaDocuments, serviceProviderConfig } from './schema';
import type { ScimReply, ScimRequest, ScimUsers } from './users';

export interface ScimDoorServices {
  secrets: Secrets;
  /** The /Users and /Groups operations, built on first use; absent without an events table, where SCIM cannot run. */
  scim?: () => Promise<{ users: ScimUsers; groups: ScimGroups }>;
  /** DocSpace's People and Groups for one request (SCIM's reads, and the writes it makes itself), counting its calls. */
  docspaceFor: DocSpaceFor;
  /** The time, for how often a refused token may make the secret be read again. */
  now(): number;
  /** A DRY_RUN stage: SCIM is never planned (an IdP needs real ids back), so /Users and /Groups answer 501. */
  dryRun: boolean;
}

const BASE = '/scim/v2';
/** The resources a metric may name; any other path is `other` (a path is the caller's text: unbounded). */
const RESOURCES = new Map(
  ['Users', 'Groups', 'ServiceProviderConfig', 'ServiceConfiguration', 'ResourceTypes', 'Schemas'].map((r) => [r.toLowerCase(), r]),
);
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
const MEDIA_TYPE = 'application/scim+json; charset=utf-8';

function scimOf(services: ScimDoorServices): Promise<{ users: ScimUsers; groups: ScimGroups }> {
  if (!services.scim) throw new ConfigurationError('SCIM keeps its users and groups in the events table: set IDEMPOTENCY_TABLE');
  return services.scim();
}

interface Routed {
  operation: string;
  userId?: string;
  reply: ScimReply;
}

function jsonOf(raw: Buffer, contentType: string | undefined): unknown {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type !== '' && type !== 'application/json' && type !== 'application/scim+json')
    throw badRequest(`Content-Type ${type} is not JSON; send application/scim+json`, 'invalidSyntax');
  const charset = /charset=([^;]+)/i
    .exec(contentType ?? '')?.[1]
    ?.trim()
    .toLowerCase();
  if (charset && charset !== 'utf-8' && charset !== 'utf8') throw badRequest('only UTF-8 bodies are accepted', 'invalidSyntax');
  const text = new TextDecoder('utf-8', { fatal: false }).decode(raw);
  if (text.trim() === '') throw badRequest('the request has no body', 'invalidSyntax');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw badRequest(`the body is not valid JSON: ${error instanceof Error ? error.message : 'unparseable'}`, 'invalidSyntax');
  }
}

/** `attributes` / `excludedAttributes` (RFC 7644 §3.9) on top-level names; `id` and `schemas` always stay. */
function project(resource: unknown, query: URLSearchParams): unknown {
  const names = (param: string) =>
    (query.get(param) ?? '')
      .split(',')
      .map((a) => a.trim().split(/[.[]/)[0]?.toLowerCase() ?? '')
      .filter(Boolean);
  const only = names('attributes');
  const excluded = names('excludedAttributes');
  if ((only.length === 0 && excluded.length === 0) || typeof resource !== 'object' || resource === null) return resource;
  return Object.fromEntries(
    Object.entries(resource).filter(([key]) => {
      const k = key.toLowerCase();
      if (k === 'id' || k === 'schemas') return true;
      return only.length ? only.includes(k) : !excluded.includes(k);
    }),
  );
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest('the path is not valid percent-encoding', 'invalidSyntax');
  }
}

function locationBase(event: APIGatewayProxyEventV2, headers: Record<string, string | undefined>): string {
  const host = headers.host ?? event.requestContext.domainName;
  const local = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(host);
  const proto = headers['x-forwarded-proto'] ?? (local ? 'http' : 'https');
  return `${proto}://${host}${BASE}`;
}

/** What /Users and /Groups have in common: the same six operations, routed the same way. */
interface ScimCollection {
  list(query: URLSearchParams, request: ScimRequest): Promise<ScimReply>;
  create(body: unknown, request: ScimRequest): Promise<ScimReply>;
  get(id: string, request: ScimRequest): Promise<ScimReply>;
  replace(id: string, body: unknown, request: ScimRequest): Promise<ScimReply>;
  patch(id: string, body: unknown, request: ScimRequest): Promise<ScimReply>;
  remove(id: string, request: ScimRequest): Promise<ScimReply>;
}

export function scimDoor(services: () => ScimDoorServices) {
  const tokens = (refresh: boolean) => services().secrets.bearerTokens(SCIM_TOKEN_KEY, refresh);
  const now = () => services().now();
  const info = new WeakMap<
    object,
    { operation: string; metric?: string; userId?: string; groupId?: string; calls: () => number; events: ScimRequest['events'] }
  >();

  const respond = (request: DoorRequest, reply: ScimReply, outcome: string, retryAfterSeconds?: number) => {
    const exchange = exchangeOf(request);
    const about = info.get(request) ?? { operation: 'unrouted', calls: () => 0, events: [] };
    const fields = {
      operation: about.operation,
      ...(about.userId ? { userId: about.userId } : {}),
      ...(about.groupId ? { groupId: about.groupId } : {}),
      status: reply.status,
      outcome,
      events: about.events,
      docspaceCalls: about.calls(),
      durationMs: Math.round(performance.now() - exchange.startedAt),
    };
    if (reply.status >= 500) logger.error('SCIM request failed', fields);
    else if (reply.status >= 400) logger.warn('SCIM request refused', fields);
    else logger.info('SCIM request', fields);
    countScimRequest(about.metric ?? 'other', outcome);
    for (const applied of about.events) countEvent('scim', 'scim', applied.type, applied.outcome);
    const response: APIGatewayProxyStructuredResultV2 = {
      statusCode: reply.status,
      headers: {
        ...(reply.body === undefined ? {} : { 'content-type': MEDIA_TYPE }),
        ...(reply.location ? { location: reply.location } : {}),
        ...(retryAfterSeconds !== undefined ? { 'retry-after': String(retryAfterSeconds) } : {}),
      },
      body: reply.body === undefined ? '' : JSON.stringify(reply.body),
    };
    request.response = response;
  };

  return middy<unknown, unknown, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
    .use(flushMetrics())
    .use({
      after: (request: DoorRequest) => {
        const routed = request.response as Routed;
        respond(request, routed.reply, routed.reply.status < 300 ? 'ok' : `http_${routed.reply.status}`);
      },
      onError: (request: DoorRequest) => {
        const error = scimErrorOf(request.error);
        if (error.status === 500) logger.error('unexpected SCIM error', { error: request.error });
        const body = {
          schemas: [ERROR_SCHEMA],
          status: String(error.status),
          ...(error.scimType ? { scimType: error.scimType } : {}),
          detail: error.detail,
        };
        respond(request, { status: error.status, body }, error.outcome, error.retryAfterSeconds);
      },
    })
    .use(rawBody({ httpOnly: 'scim' }))
    .use(bearerToken(tokens, now))
    .use({
      // The handler gets the middy request itself: the route needs API Gateway's event and the exchange.
      before: (request: DoorRequest) => {
        request.event = { request, api: request.event };
      },
    })
    .handler(async (input): Promise<Routed> => {
      const { request, api } = input as { request: DoorRequest; api: unknown };
      return route(request, api);
    });

  async function route(request: middy.Request<unknown, unknown, Error, Context>, event: unknown): Promise<Routed> {
    const exchange = exchangeOf(request);
    // rawBody refused every request that is not API Gateway's (httpOnly).
    if (!exchange.http || !isHttpApiEvent(event)) throw new ScimFailure(400, 'the SCIM function takes HTTP requests only', 'invalidSyntax');
    const at = event.rawPath.toLowerCase().indexOf(BASE);
    const rest = at < 0 ? event.rawPath : event.rawPath.slice(at + BASE.length);
    const segments = rest.split('/').filter(Boolean).map(decodeSegment);
    const query = new URLSearchParams(event.rawQueryString ?? '');
    const method = exchange.method;
    const resource = (segments[0] ?? '').toLowerCase();
    const known = RESOURCES.get(resource);
    const metric =
      known && METHODS.has(method) && segments.length <= 2 ? `${method} /${known}${segments.length > 1 ? '/{id}' : ''}` : 'other';
    const about = {
      operation: `${method} /${segments[0] ?? ''}${segments.length > 1 ? '/{id}' : ''}`,
      metric,
      calls: () => 0,
      events: [] as ScimRequest['events'],
      ...(segments[1] && resource === 'users' ? { userId: segments[1] } : {}),
      ...(segments[1] && resource === 'groups' ? { groupId: segments[1] } : {}),
    };
    info.set(request, about);
    const body = () => jsonOf(exchange.rawBody, exchange.headers['content-type']);

    let reply: ScimReply | undefined;
    const collection =
      resource === 'users'
        ? { path: 'Users', of: async () => (await scimOf(services())).users }
        : resource === 'groups'
          ? { path: 'Groups', of: async () => (await scimOf(services())).groups }
          : undefined;
    if (collection && services().dryRun) {
      // Even a filtered GET may record a match (a member or group met for the first time): nothing here is planned.
      throw new ScimFailure(
        501,
        'this stage runs with DRY_RUN=true (plan mode), where SCIM is not served: an IdP needs the real ids back. Provision against a stage without DRY_RUN.',
      );
    }
    if (collection && segments.length <= 2) {
      const resources: ScimCollection = await collection.of();
      const docspace = services().docspaceFor(() => request.context.getRemainingTimeInMillis());
      about.calls = () => docspace.calls;
      const base = locationBase(event, exchange.headers);
      const scim: ScimRequest = {
        people: docspace.people,
        groups: docspace.groups,
        context: request.context,
        location: (id) => `${base}/${collection.path}/${id}`,
        events: about.events,
      };
      const id = segments[1];
      if (id === undefined && method === 'GET') reply = await resources.list(query, scim);
      else if (id === undefined && method === 'POST') reply = await resources.create(body(), scim);
      else if (id !== undefined && method === 'GET') reply = await resources.get(id, scim);
      else if (id !== undefined && method === 'PUT') reply = await resources.replace(id, body(), scim);
      else if (id !== undefined && method === 'PATCH') reply = await resources.patch(id, body(), scim);
      else if (id !== undefined && method === 'DELETE') reply = await resources.remove(id, scim);
      if (reply?.body !== undefined && method === 'GET') {
        const data = reply.body as { Resources?: unknown[] };
        reply = {
          ...reply,
          body: data.Resources ? { ...data, Resources: data.Resources.map((r) => project(r, query)) } : project(data, query),
        };
      }
    } else if (method === 'GET' && segments.length === 1 && (resource === 'serviceproviderconfig' || resource === 'serviceconfiguration')) {
      reply = { status: 200, body: serviceProviderConfig };
    } else if (method === 'GET' && resource === 'resourcetypes') {
      const found = segments[1] ? resourceTypes.find((r) => r.id.toLowerCase() === segments[1]?.toLowerCase()) : undefined;
      if (segments[1] && !found) throw notFound(segments[1]);
      reply = { status: 200, body: found ?? listResponse(resourceTypes, resourceTypes.length, 1) };
    } else if (method === 'GET' && resource === 'schemas') {
      const found = segments[1] ? schemaDocuments.find((s) => s.id.toLowerCase() === segments[1]?.toLowerCase()) : undefined;
      if (segments[1] && !found) throw notFound(segments[1]);
      reply = { status: 200, body: found ?? listResponse(schemaDocuments, schemaDocuments.length, 1) };
    } else throw new ScimFailure(404, `no SCIM endpoint ${method} ${BASE}${rest}`);
    if (!reply) throw new ScimFailure(405, `${method} is not allowed on ${BASE}${rest}`);
    return { operation: about.operation, reply };
  }
}
