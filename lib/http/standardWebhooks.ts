/**
 * Standard Webhooks (standardwebhooks.com): HMAC-SHA256 over `${webhook-id}.${webhook-timestamp}.${body}` in the
 * `webhook-signature` header, timestamps within 5 minutes. The canonical routes accept events signed this way.
 * Hashed by `node:crypto` (OpenSSL), as the spec's reference libraries do on Node; the `standardwebhooks` package
 * hashed in JavaScript, the largest part of a warm door's own time. Same checks, same messages.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { RefusedEvent } from '../outcome';
import type { IncomingWebhook } from '../senders/kit/adapter';

/** The key of the Standard Webhooks secret in the webhook secret. */
export const STANDARD_WEBHOOKS_KEY = 'standardWebhooks';
export const REQUIRED_HEADERS = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;
const SECRET_PREFIX = 'whsec_';
const TOLERANCE_SECONDS = 5 * 60;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

let lastSecret: string | undefined;
let lastKey: Buffer | undefined;

/** The HMAC key of a `whsec_<base64>` secret; a malformed secret is the operator's error, thrown as such. */
function keyOf(secret: string): Buffer {
  if (secret === lastSecret && lastKey) return lastKey;
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (!BASE64.test(encoded)) throw new Error('the Standard Webhooks secret is not base64 (whsec_<base64>)');
  const key = Buffer.from(encoded, 'base64');
  if (key.length === 0) throw new Error("the Standard Webhooks secret can't be empty");
  lastSecret = secret;
  lastKey = key;
  return key;
}

/** Over the exact bytes: a body that is not valid UTF-8 is signed (and verified) as sent. */
const signatureOf = (key: Buffer, id: string, seconds: number, body: string | Buffer): string =>
  createHmac('sha256', key).update(`${id}.${seconds}.`).update(body).digest('base64');

/** Verifies the exact bytes received; refuses with 401 and a reason the sender's operator can act on. */
export function verifyStandardWebhook({ rawBody, headers }: IncomingWebhook, secret: string): void {
  const missing = REQUIRED_HEADERS.filter((h) => !headers[h]);
  if (missing.length > 0) {
    throw new RefusedEvent('unauthorized', `missing signature header(s): ${missing.join(', ')}`);
  }
  const key = keyOf(secret); // not caught: a malformed secret is not the sender's fault
  const id = headers['webhook-id'] as string;
  const timestamp = Number.parseInt(headers['webhook-timestamp'] as string, 10);
  if (Number.isNaN(timestamp)) throw new RefusedEvent('unauthorized', 'signature not accepted: Invalid Signature Headers');
  const now = Math.floor(Date.now() / 1000);
  if (now - timestamp > TOLERANCE_SECONDS) throw new RefusedEvent('unauthorized', 'signature not accepted: Message timestamp too old');
  if (timestamp > now + TOLERANCE_SECONDS) throw new RefusedEvent('unauthorized', 'signature not accepted: Message timestamp too new');
  const expected = Buffer.from(signatureOf(key, id, timestamp, rawBody));
  // A space-separated list of `<version>,<base64>`; any v1 entry that matches, compared in constant time.
  for (const entry of (headers['webhook-signature'] as string).split(' ')) {
    const [version, signature] = entry.split(',');
    if (version !== 'v1' || signature === undefined) continue;
    const given = Buffer.from(signature);
    if (given.length === expected.length && timingSafeEqual(given, expected)) return;
  }
  throw new RefusedEvent('unauthorized', 'signature not accepted: No matching signature found');
}

/** Signs a body as a Standard Webhooks sender would (for `npm run send`, tests and benchmarks). */
export function signStandardWebhook(body: string, secret: string, id: string, at = new Date()): Record<string, string> {
  const seconds = Math.floor(at.getTime() / 1000);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(seconds),
    'webhook-signature': `v1,${signatureOf(keyOf(secret), id, seconds, body)}`,
  };
}
