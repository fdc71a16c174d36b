/** Deliveries signed the way each real sender signs them, for tests, `npm run send` and benchmarks. */
import { createHmac } from 'node:crypto';
import { signStandardWebhook } from '../lib/http/standardWebhooks';
import { LOCAL } from './stack';

export const SENDERS = ['standardWebhooks', 'okta', 'bamboohr', 'hibob'] as const;
export type SenderName = (typeof SENDERS)[number];

export const SENDER_ROUTES: Record<Exclude<SenderName, 'standardWebhooks'>, string> = {
  okta: '/webhooks/okta',
  bamboohr: '/webhooks/bamboohr',
  hibob: '/webhooks/hibob',
};

export interface SignedDelivery {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body: string;
}

/**
 * A sample file as the sender would send it. JSON bodies are minified (senders send compact JSON); Okta's
 * verification sample (`{method: "GET", headers}`) becomes the GET it describes; a `.txt` file is sent as is.
 */
export function deliveryFor(sender: Exclude<SenderName, 'standardWebhooks'>, fileText: string, options: { secret?: string; at?: Date } = {}): SignedDelivery {
  const secret = options.secret ?? LOCAL.senderSecrets[sender];
  const at = options.at ?? new Date();
  let parsed: unknown;
  try {
    parsed = JSON.parse(fileText);
  } catch {
    parsed = undefined;
  }
  const body = parsed === undefined ? fileText : JSON.stringify(parsed);
  switch (sender) {
    case 'okta': {
      const sample = parsed as { method?: string; headers?: Record<string, string> } | undefined;
      if (sample?.method === 'GET') {
        const challenge = sample.headers?.['X-Okta-Verification-Challenge'] ?? 'challenge';
        return { method: 'GET', headers: { authorization: secret, 'x-okta-verification-challenge': challenge }, body: '' };
      }
      return { method: 'POST', headers: { authorization: secret, 'content-type': 'application/json' }, body };
    }
    case 'bamboohr': {
      const timestamp = String(Math.floor(at.getTime() / 1000));
      const signature = createHmac('sha256', secret).update(body).update(timestamp).digest('hex');
      return { method: 'POST', headers: { 'content-type': 'application/json', 'x-bamboohr-timestamp': timestamp, 'x-bamboohr-signature': signature }, body };
    }
    case 'hibob':
      return {
        method: 'POST',
        headers: { 'content-type': parsed === undefined ? 'text/plain' : 'application/json', 'bob-signature': createHmac('sha512', secret).update(body).digest('base64') },
        body,
      };
  }
}

/** A canonical event signed as Standard Webhooks. */
export function standardDelivery(fileText: string, secret: string = LOCAL.signingSecret): SignedDelivery {
  const body = JSON.stringify(JSON.parse(fileText));
  return { method: 'POST', headers: { 'content-type': 'application/json', ...signStandardWebhook(body, secret, `msg_${crypto.randomUUID()}`) }, body };
}
