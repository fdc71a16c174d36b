/** Deliveries signed the way each real sender signs them, for tests, `npm run send` and benchmarks. */
import { signStandardWebhook } from '../lib/http/standardWebhooks';
import { SENDER_NAMES, senderEntry, type Sender } from '../lib/senders/registry';
import { LOCAL } from './stack';

/** Every door that takes signed deliveries: the canonical routes (Standard Webhooks) and each sender. */
export const SENDERS = ['standardWebhooks', ...SENDER_NAMES] as const;
export type SenderName = (typeof SENDERS)[number];

export const SENDER_ROUTES = Object.fromEntries(SENDER_NAMES.map((s) => [s, senderEntry(s).route])) as Record<Sender, string>;

export interface SignedDelivery {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body: string;
}

/** The local default options of a sender's adapter (the header Okta's secret travels in, …). */
const localOptions = (sender: Sender) =>
  Object.fromEntries(Object.entries(senderEntry(sender).options ?? {}).map(([k, o]) => [k, o.parse(o.default)]));

/**
 * A sample file as the sender would send it. JSON bodies are minified (senders send compact JSON); a sample that
 * describes a GET (`{"method": "GET", "headers": {…}}`, Okta's verification) becomes that GET; a `.txt` file is
 * sent as is.
 */
export function deliveryFor(sender: Sender, fileText: string, options: { secret?: string; at?: Date } = {}): SignedDelivery {
  const secret = options.secret ?? LOCAL.senderSecrets[sender];
  const at = options.at ?? new Date();
  let parsed: unknown;
  try {
    parsed = JSON.parse(fileText);
  } catch {
    parsed = undefined;
  }
  const sign = (body: string) => senderEntry(sender).adapter.sign(body, secret, at, localOptions(sender));
  const sample = parsed as { method?: string; headers?: Record<string, string> } | undefined;
  if (sample?.method === 'GET') {
    const { 'content-type': _json, ...signed } = sign('');
    // The vendor's own headers that matter (X-…: the challenge), not the transport's (Host, Accept, User-Agent).
    const described = Object.fromEntries(
      Object.entries(sample.headers ?? {}).flatMap(([k, v]) => (/^x-/i.test(k) ? [[k.toLowerCase(), v]] : [])),
    );
    return { method: 'GET', headers: { ...described, ...signed }, body: '' };
  }
  const body = parsed === undefined ? fileText : JSON.stringify(parsed);
  return { method: 'POST', headers: sign(body), body };
}

/** A canonical event signed as Standard Webhooks. */
export function standardDelivery(fileText: string, secret: string = LOCAL.signingSecret): SignedDelivery {
  const body = JSON.stringify(JSON.parse(fileText));
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signStandardWebhook(body, secret, `msg_${crypto.randomUUID()}`) },
    body,
  };
}
