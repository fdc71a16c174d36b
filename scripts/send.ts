/**
 * Signs a sample event as a Standard Webhooks sender would and POSTs it to the local API:
 *   npm run send -- events/user-created.json [--url http://localhost:3000] [--secret whsec_…]
 * The route follows the event's type. Exits 1 when the answer is not 2xx.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { EVENT_TYPES, type CanonicalEventType } from '../lib/events';
import { ROUTE_BY_TYPE } from '../lib/routes';
import { signStandardWebhook } from '../lib/sources/standardWebhooks';
import { LOCAL } from '../test/emulators/localStack';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      url: { type: 'string', default: process.env.SEND_URL ?? `http://localhost:${LOCAL.httpPort}` },
      secret: { type: 'string', default: process.env.WEBHOOK_SIGNING_SECRET ?? LOCAL.signingSecret },
    },
  });
  const file = positionals[0];
  if (!file) throw new Error('usage: npm run send -- <event file> [--url URL] [--secret whsec_…]');
  const body = JSON.stringify(JSON.parse(readFileSync(file, 'utf8')));
  const type = (JSON.parse(body) as { type?: string }).type;
  if (!(EVENT_TYPES as readonly string[]).includes(String(type))) {
    throw new Error(`${file}: "type" must be one of ${EVENT_TYPES.join(', ')}`);
  }
  const url = new URL(ROUTE_BY_TYPE[type as CanonicalEventType], values.url);
  const headers = signStandardWebhook(body, values.secret, `msg_${crypto.randomUUID()}`);
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await res.text();
  console.log(`POST ${url.pathname} → ${res.status}${res.headers.get('retry-after') ? ` (retry after ${res.headers.get('retry-after')} s)` : ''}`);
  console.log(text);
  if (!res.ok) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
