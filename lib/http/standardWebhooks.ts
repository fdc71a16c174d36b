/**
 * Standard Webhooks (standardwebhooks.com): HMAC-SHA256 over `${webhook-id}.${webhook-timestamp}.${body}` in the
 * `webhook-signature` header, timestamps within 5 minutes. The canonical routes accept events signed this way.
 */
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { RefusedEvent } from '../outcome';
import type { IncomingWebhook } from '../senders/kit/adapter';

/** The key of the Standard Webhooks secret in the webhook secret. */
export const STANDARD_WEBHOOKS_KEY = 'standardWebhooks';
const REQUIRED_HEADERS = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;

/** Verifies the exact bytes received; refuses with 401 and a reason the sender's operator can act on. */
export function verifyStandardWebhook({ rawBody, headers }: IncomingWebhook, secret: string): void {
  const missing = REQUIRED_HEADERS.filter((h) => !headers[h]);
  if (missing.length > 0) {
    throw new RefusedEvent('unauthorized', `missing signature header(s): ${missing.join(', ')}`);
  }
  const signed = Object.fromEntries(REQUIRED_HEADERS.map((h) => [h, headers[h] as string]));
  const webhook = new Webhook(secret); // a malformed secret is the operator's error, not the sender's: not caught here
  try {
    // The package compares in constant time and enforces the 5-minute window in both directions.
    webhook.verify(rawBody, signed, { jsonParse: false });
  } catch (error) {
    if (error instanceof WebhookVerificationError) {
      throw new RefusedEvent('unauthorized', `signature not accepted: ${error.message}`);
    }
    throw new RefusedEvent('unauthorized', 'signature not accepted: malformed signature headers');
  }
}

/** Signs a body as a Standard Webhooks sender would (for `npm run send`, tests and benchmarks). */
export function signStandardWebhook(body: string, secret: string, id: string, at = new Date()): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, body),
  };
}
