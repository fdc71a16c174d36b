/** Doubles for unit tests: a sender context with no API, and an incoming webhook. */
import { buildRoleMap } from '../../lib/roles';
import type { IncomingWebhook, SenderContext, SenderMapping } from '../../lib/senders/kit/adapter';
import type { SenderApi } from '../../lib/senders/kit/api';

export function senderContext(overrides: Partial<SenderContext> & { mapping?: SenderMapping } = {}): SenderContext {
  return {
    sender: 'test',
    mapping: { contacts: {}, roleField: 'title', groups: {} },
    roles: buildRoleMap(),
    options: {},
    api: (): Promise<SenderApi> => Promise.reject(new Error('this test reads no sender API')),
    ...overrides,
  };
}

export const webhook = (body: string, headers: Record<string, string | undefined>, method = 'POST'): IncomingWebhook => ({
  method,
  headers,
  rawBody: Buffer.from(body),
});
