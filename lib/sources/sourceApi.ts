/**
 * The senders' own APIs, for webhooks that say who changed but not what: Okta Users (SSWS token), BambooHR
 * employees (API key as Basic user), HiBob People (service user, Basic). Credentials come from the secret named by
 * SOURCE_API_SECRET_ID (`{"okta": {"apiToken"}, "bamboohr": {"apiKey"}, "hibob": {"serviceUserId", "token"}}`).
 */
import { Agent, request } from 'undici';
import * as z from 'zod';
import { config, ConfigError } from '../config';
import { readSecretJson } from '../secrets';
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

const credentialsSchema = z.object({
  okta: z.object({ apiToken: z.string().min(1) }).optional(),
  bamboohr: z.object({ apiKey: z.string().min(1) }).optional(),
  hibob: z.object({ serviceUserId: z.string().min(1), token: z.string().min(1) }).optional(),
});

/** Keep-alive connections shared by the source clients of this container. */
const agent = new Agent({ keepAliveTimeout: 30_000, connect: { timeout: 3_000 } });

function authorization(sender: Sender, credentials: z.infer<typeof credentialsSchema>): string {
  const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  switch (sender) {
    case 'okta':
      if (credentials.okta) return `SSWS ${credentials.okta.apiToken}`;
      break;
    case 'bamboohr':
      if (credentials.bamboohr) return basic(credentials.bamboohr.apiKey, 'x');
      break;
    case 'hibob':
      if (credentials.hibob) return basic(credentials.hibob.serviceUserId, credentials.hibob.token);
      break;
  }
  throw new ConfigError(`the source API secret has no "${sender}" credentials`);
}

export async function sourceApi(sender: Sender): Promise<SourceApi> {
  const cfg = config();
  const base = cfg.sourceUrls[sender];
  if (!base) throw new ConfigError(`${sender === 'okta' ? 'OKTA_ORG_URL' : 'BAMBOOHR_API_URL'} is not set; the ${sender} webhook needs it to read records`);
  const credentials = credentialsSchema.safeParse(await readSecretJson(cfg.sourceApiSecretId, cfg.secretsTtlSeconds));
  if (!credentials.success) throw new ConfigError(`the source API secret is malformed: ${credentials.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  const auth = authorization(sender, credentials.data);
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
