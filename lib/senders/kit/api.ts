/**
 * The senders' own APIs, for webhooks that say who changed but not what. Each adapter says how it authenticates
 * (SourceApiAuth); the credentials come from the secret named by SOURCE_API_SECRET_ID, one key per sender.
 */
import { Agent, request } from 'undici';
import * as z from 'zod';
import { config, ConfigError } from '../../settings';
import { readSecretJson } from '../../secrets/secretsManager';
import type { Sender } from './mapping';

export class SourceApiError extends Error {
  constructor(
    readonly sender: Sender,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'SourceApiError';
  }

  /** Rate limits, server errors and lost connections pass; a refused credential or a bad request does not. */
  get retryable(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

export interface SourceApi {
  /** The parsed JSON answer, or null for 404. */
  json<T>(method: 'GET' | 'POST', path: string, schema: z.ZodType<T>, body?: unknown): Promise<T | null>;
  /** Requests made, for the delivery's log line. */
  readonly calls: number;
}

/** Keep-alive connections shared by the source clients of this container. */
const agent = new Agent({ keepAliveTimeout: 30_000, connect: { timeout: 3_000 } });

/** How an adapter authenticates to its sender's API: the shape of its credentials and the header they make. */
export interface SourceApiAuth<C> {
  /** The environment variable that holds the API's base URL (named in the error when it is missing). */
  urlVariable: string;
  credentials: z.ZodType<C>;
  authorization(credentials: C): string;
}

/** Pairs a credentials schema with the header it makes, so an adapter can hold any sender's kind of credentials. */
export function apiAuth<C>(auth: SourceApiAuth<C>): SourceApiAuth<unknown> {
  return { urlVariable: auth.urlVariable, credentials: auth.credentials, authorization: (c) => auth.authorization(c as C) };
}

export const basicAuth = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** A client for one sender's API, with its credentials read from the source secret (under the sender's key). */
export async function sourceApi<C>(sender: Sender, access: SourceApiAuth<C>): Promise<SourceApi> {
  const cfg = config();
  const base = cfg.sourceUrls[sender];
  if (!base) throw new ConfigError(`${access.urlVariable} is not set; the ${sender} webhook needs it to read records`);
  const secret = await readSecretJson(cfg.sourceApiSecretId, cfg.secretsTtlSeconds);
  const own = typeof secret === 'object' && secret !== null ? (secret as Record<string, unknown>)[sender] : undefined;
  if (own === undefined) throw new ConfigError(`the source API secret has no "${sender}" credentials`);
  const credentials = access.credentials.safeParse(own);
  if (!credentials.success) {
    throw new ConfigError(`the "${sender}" credentials in the source API secret are malformed: ${credentials.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  }
  const auth = access.authorization(credentials.data);
  const root = base.replace(/\/+$/, '');
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    async json(method, path, schema, body) {
      calls += 1;
      let status: number;
      let text: string;
      try {
        const res = await request(`${root}${path}`, {
          method,
          dispatcher: agent,
          headers: { authorization: auth, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
          headersTimeout: 5_000,
          bodyTimeout: 5_000,
        });
        status = res.statusCode;
        text = await res.body.text();
      } catch (error) {
        throw new SourceApiError(sender, 0, `no answer from the ${sender} API (${error instanceof Error ? error.message : String(error)})`);
      }
      if (status === 404) return null;
      if (status < 200 || status >= 300) throw new SourceApiError(sender, status, `the ${sender} API answered ${status} to ${method} ${path}`);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new SourceApiError(sender, 502, `the ${sender} API answered ${method} ${path} with something that is not JSON`);
      }
      const result = schema.safeParse(parsed);
      if (!result.success) throw new SourceApiError(sender, 502, `unexpected ${sender} API answer to ${method} ${path}: ${result.error.issues[0]?.message ?? ''}`);
      return result.data;
    },
  };
}
