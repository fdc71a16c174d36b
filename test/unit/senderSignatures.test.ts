/**
 * The vendors' signature recipes against known vectors. Where each comes from:
 * - BambooHR (recipe: documentation.bamboohr.com/docs/webhooks, HMAC-SHA256 of the body followed by the timestamp,
 *   hex): the private key, body, timestamp and signature of the public test fixture in github.com/fusebit/integrations,
 *   src/bamboohr/bamboohr-connector/test/ (webhook.test.ts, sampleData.ts, mock/webhook-event.json), body minified.
 * - HiBob (recipe: apidocs.hibob.com/reference/getting-started-webhooks, base64 HMAC-SHA512 of the raw body): the
 *   employee.created example of apidocs.hibob.com/reference/api-calls-for-webhook-events, minified, signed by us with
 *   our own secret (Bob publishes no vector); recomputed with Node's crypto.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RefusedEvent } from '../../lib/outcome';
import { bamboohr } from '../../lib/senders/bamboohr';
import { hibob } from '../../lib/senders/hibob';
import { okta } from '../../lib/senders/okta';
import type { IncomingWebhook } from '../../lib/senders/kit/adapter';
import { senderContext } from '../support/doubles';

const context = senderContext();
const request = (body: string, headers: Record<string, string>): IncomingWebhook => ({
  method: 'POST',
  headers,
  rawBody: Buffer.from(body),
});
const refusal = (fn: () => void): string => {
  try {
    fn();
  } catch (error) {
    if (error instanceof RefusedEvent && error.outcome === 'unauthorized') return error.message;
    throw error;
  }
  throw new Error('expected a refusal');
};

describe('BambooHR X-BambooHR-Signature', () => {
  const key = '123b929362d51613054f71e5e5d4bf2c';
  const body =
    '{"employees":[{"changedFields":["First name"],"fields":{"Employee #":{"value":"300"},"First name":{"value":"Tefi"},"Last name":{"value":"Adams"}},"id":"5"}]}';
  const headers = {
    'x-bamboohr-timestamp': '1658248023',
    'x-bamboohr-signature': '56491dd9c2b352bc5f4fc627159aae20ddff9c8cb19f239a6de6771dc5310bac',
  };
  afterEach(() => vi.useRealTimers());

  it('accepts the reference vector: hex HMAC-SHA256 of the body followed by the timestamp', () => {
    vi.useFakeTimers({ now: 1658248023_000 + 30_000 });
    expect(() => bamboohr.verify(request(body, headers), key, context)).not.toThrow();
  });

  it('refuses the same signature outside the 5-minute window, and any change to body or timestamp', () => {
    vi.useFakeTimers({ now: 1658248023_000 + 301_000 });
    expect(refusal(() => bamboohr.verify(request(body, headers), key, context))).toMatch(/5-minute window/);
    vi.useFakeTimers({ now: 1658248023_000 });
    expect(refusal(() => bamboohr.verify(request(body.replace('Tefi', 'Teff'), headers), key, context))).toMatch(/does not match/);
    expect(refusal(() => bamboohr.verify(request(body, { ...headers, 'x-bamboohr-timestamp': '1658248024' }), key, context))).toMatch(
      /does not match/,
    );
  });
});

describe('HiBob Bob-Signature', () => {
  const secret = 'test-bob-webhook-secret';
  const body =
    '{"companyId":637323,"type":"employee.created","triggeredBy":"3332883804594373380","triggeredAt":"2024-12-26T11:29:14.399997","data":{"employeeId":"3332883894235038486"}}';
  const signature = '8+NUnlZugY1e+BlFVl/HaUMHrGT6WdvFvvIWYK65Dn8iT24wYcpZ8Z93bkAjDtZNsXmudX2XXzM3ivB8/GLZRQ==';

  it('accepts the reference vector: base64 HMAC-SHA512 of the raw body', () => {
    expect(() => hibob.verify(request(body, { 'bob-signature': signature }), secret, context)).not.toThrow();
  });

  it('refuses another secret, a changed body and a missing header', () => {
    expect(refusal(() => hibob.verify(request(body, { 'bob-signature': signature }), 'other', context))).toMatch(/does not match/);
    expect(refusal(() => hibob.verify(request(`${body} `, { 'bob-signature': signature }), secret, context))).toMatch(/does not match/);
    expect(refusal(() => hibob.verify(request(body, {}), secret, context))).toMatch(/missing Bob-Signature/);
  });
});

describe('Okta shared secret', () => {
  it('compares the configured header with the secret', () => {
    // The header name is an option of the adapter (OKTA_AUTH_HEADER), given in its context.
    expect(() => okta.verify(request('{}', { authorization: 'my-shared-secret' }), 'my-shared-secret', context)).not.toThrow();
    expect(refusal(() => okta.verify(request('{}', { authorization: 'my-shared-secreT' }), 'my-shared-secret', context))).toMatch(
      /does not match/,
    );
    expect(refusal(() => okta.verify(request('{}', {}), 'my-shared-secret', context))).toMatch(/missing authorization/);
    const custom = senderContext({ options: { authHeader: 'x-okta-secret' } });
    expect(() => okta.verify(request('{}', { 'x-okta-secret': 'my-shared-secret' }), 'my-shared-secret', custom)).not.toThrow();
    expect(refusal(() => okta.verify(request('{}', { authorization: 'my-shared-secret' }), 'my-shared-secret', custom))).toMatch(
      /missing x-okta-secret/,
    );
  });
});
