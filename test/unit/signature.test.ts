import { afterEach, describe, expect, it, vi } from 'vitest';
import { RefusedEvent } from '../../lib/outcome';
import { signStandardWebhook, verifyStandardWebhook } from '../../lib/http/standardWebhooks';
import { webhook } from '../support/doubles';

// The Standard Webhooks spec's example message (github.com/standard-webhooks/standard-webhooks, spec/standard-webhooks.md,
// "Signature scheme": its id, timestamp and minified body), signed with the secret of the reference libraries' tests
// (libraries/javascript/src/webhook.test.ts there); the signature computed by us with Node's crypto.
const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const body = '{"type":"contact.created","timestamp":"2022-11-03T20:26:10.344522Z","data":{"id":"1f81eb52-5198-4599-803e-771906343485"}}';
const headers = {
  'webhook-id': 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
  'webhook-timestamp': '1674087231',
  'webhook-signature': 'v1,ARw42xaAApl/nxRo+iPGYwSaMQaOwMo2eyH5JBRA+bQ=',
};

const refusal = (fn: () => void): RefusedEvent => {
  try {
    fn();
  } catch (error) {
    if (error instanceof RefusedEvent) return error;
    throw error;
  }
  throw new Error('expected a refusal');
};

describe('Standard Webhooks signature', () => {
  afterEach(() => vi.useRealTimers());

  it('accepts the reference vector', () => {
    vi.useFakeTimers({ now: 1674087231_000 + 60_000 });
    expect(() => verifyStandardWebhook(webhook(body, headers), secret)).not.toThrow();
    expect(signStandardWebhook(body, secret, headers['webhook-id'], new Date(1674087231_000))).toEqual(headers);
  });

  it('refuses a changed body, a wrong secret and a signature from another message', () => {
    vi.useFakeTimers({ now: 1674087231_000 });
    expect(refusal(() => verifyStandardWebhook(webhook(body.replace('contact', 'kontact'), headers), secret)).outcome).toBe('unauthorized');
    expect(
      refusal(() => verifyStandardWebhook(webhook(body, headers), 'whsec_' + Buffer.from('x'.repeat(32)).toString('base64'))).message,
    ).toMatch(/No matching signature/);
    expect(refusal(() => verifyStandardWebhook(webhook(body, { ...headers, 'webhook-id': 'msg_other' }), secret)).outcome).toBe(
      'unauthorized',
    );
  });

  it('refuses timestamps more than 5 minutes off, in either direction', () => {
    vi.useFakeTimers({ now: 1674087231_000 + 6 * 60_000 });
    expect(refusal(() => verifyStandardWebhook(webhook(body, headers), secret)).message).toMatch(/too old/);
    vi.useFakeTimers({ now: 1674087231_000 - 6 * 60_000 });
    expect(refusal(() => verifyStandardWebhook(webhook(body, headers), secret)).message).toMatch(/too new/);
  });

  it('names the missing headers', () => {
    expect(refusal(() => verifyStandardWebhook(webhook(body, { 'webhook-id': 'x' }), secret)).message).toBe(
      'missing signature header(s): webhook-timestamp, webhook-signature',
    );
  });
});
