/**
 * The senders' own APIs, for webhooks that say who changed but not what. Each adapter says how it authenticates
 * (SenderApiAuth); the credentials come from the sender API secret, one key per sender.
 */
import type * as z from 'zod';
import { request } from '../../net/request';
import { ConfigurationError, DEFAULT_RETRY_AFTER_SECONDS, isTransientStatus, ServiceError, type Refusal } from '../../outcome';

class SenderApiError extends ServiceError {
  constructor(
    readonly sender: string,
    readonly status: number,
    message: string,
    cause?: unknown,
  ) {
    super(isTransientStatus(status) ? `${message}; try again later` : message, {
      cause,
      ...(isTransientStatus(status) ? { retryAfterSeconds: DEFAULT_RETRY_AFTER_SECONDS } : {}),
    });
  }

  /** Rate limits, server errors and lost connections pass; a refused credential or a bad request does not. */
  get outcome(): Refusal {
    return isTransientStatus(this.status) ? 'unavailable' : 'failed';
  }
}

export interface SenderApi {
  /** The parsed JSON answer, or null for 404. */
  json<T>(method: 'GET' | 'POST', path: string, schema: z.ZodType<T>, body?: unknown): Promise<T | null>;
  /** Requests made, for the delivery's log line. */
  readonly calls: number;
}


/** How an adapter authenticates to its sender's API: the shape of its credentials and the header they make. */
export interface SenderApiAuth<C> {
  credentials: z.ZodType<C>;
  authorization(credentials: C): string;
}

/** Pairs a credentials schema with the header it makes, so an adapter can hold any sender's kind of credentials. */
export function apiAuth<C>(auth: SenderApiAuth<C>): SenderApiAuth<unknown> {
  return { credentials: auth.credentials, authorization: (c) => auth.authorization(c as C) };
}

export const basicAuth = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

export interface SenderApiOptions<C> {
  sender: string;
  access: SenderApiAuth<C>;
  /** The API's base URL, and the setting that holds it (named when it is missing). */
  baseUrl: string | undefined;
  urlSetting: string;
  /** This sender's entry in the sender API secret. */
  credentials: () => Promise<unknown>;
}

/** A client for one sender's API. */
export async function openSenderApi<C>({ sender, access, baseUrl, urlSetting, credentials: read }: SenderApiOptions<C>): Promise<SenderApi> {
  if (!baseUrl) throw new ConfigurationError(`${urlSetting} is not set; the ${sender} webhook needs it to read records`);
  const own = await read();
  if (own === undefined) throw new ConfigurationError(`the sender API secret has no "${sender}" credentials`);
  const credentials = access.credentials.safeParse(own);
  if (!credentials.success) {
    throw new ConfigurationError(`the "${sender}" credentials in the sender API secret are malformed: ${credentials.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  }
  const auth = access.authorization(credentials.data);
  const root = baseUrl.replace(/\/+$/, '');
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
        // A few reads per delivery: node:http(s), kept alive (lib/net/request.ts). Redirects are not followed.
        ({ status, text } = await request(new URL(`${root}${path}`), {
          method,
          headers: { authorization: auth, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          timeoutMs: 5_000,
        }));
      } catch (error) {
        throw new SenderApiError(sender, 0, `no answer from the ${sender} API (${error instanceof Error ? error.message : String(error)})`);
      }
      if (status === 404) return null;
      if (status < 200 || status >= 300) throw new SenderApiError(sender, status, `the ${sender} API answered ${status} to ${method} ${path}`);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new SenderApiError(sender, 502, `the ${sender} API answered ${method} ${path} with something that is not JSON`);
      }
      const result = schema.safeParse(parsed);
      if (!result.success) throw new SenderApiError(sender, 502, `unexpected ${sender} API answer to ${method} ${path}: ${result.error.issues[0]?.message ?? ''}`);
      return result.data;
    },
  };
}
