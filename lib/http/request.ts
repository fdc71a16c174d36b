/** Telling an HTTP API request from a direct invocation, and reading its body exactly as it was sent. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type * as z from 'zod';
import { RefusedEvent } from '../outcome';

/** Webhook bodies are small (Standard Webhooks recommends < 20 kB); anything far larger is refused unread. */
export const MAX_BODY_BYTES = 256 * 1024;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** An HTTP API (payload 2.0) request, as API Gateway and serverless-offline deliver it. */
export function isHttpApiEvent(event: unknown): event is APIGatewayProxyEventV2 {
  return isObject(event) && isObject(event.requestContext) && isObject(event.requestContext.http) && 'headers' in event;
}

/** The exact bytes the sender signed: base64-decoded when API Gateway encoded them. */
export function rawBodyOf(event: APIGatewayProxyEventV2): Buffer {
  const body = event.body ?? '';
  const tooLarge = () => new RefusedEvent('payload_too_large', `request body over ${MAX_BODY_BYTES} bytes`);
  // Refused before decoding when even the encoded text is too long; exactly after decoding otherwise.
  if (Buffer.byteLength(body) > (event.isBase64Encoded ? Math.ceil(MAX_BODY_BYTES / 3) * 4 + 4 : MAX_BODY_BYTES)) throw tooLarge();
  const raw = event.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
  if (raw.length > MAX_BODY_BYTES) throw tooLarge();
  return raw;
}

/** Header names lower-cased (HTTP API does this already; other callers may not). */
export function headersOf(event: APIGatewayProxyEventV2): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
}

export function parseJsonBody(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'unparseable';
    throw new RefusedEvent('invalid', 'the body is not valid JSON', [`body: ${reason}`]);
  }
}

/** The body as JSON of the given shape, or a 400 that names what is wrong (at most five problems). */
export function parseJsonAs<T>(raw: Buffer, schema: z.ZodType<T>, what: string): T {
  const parsed = schema.safeParse(parseJsonBody(raw));
  if (!parsed.success) {
    throw new RefusedEvent('invalid', `not ${what}`, parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`));
  }
  return parsed.data;
}
