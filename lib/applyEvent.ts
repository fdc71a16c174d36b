/**
 * Applies one canonical event to DocSpace: the DocSpace client for this invocation (key from Secrets Manager,
 * re-read once on a 401), the rule for the event's type, and the log keys that tie the summary line to the event.
 */
import { config } from './config';
import { DocSpaceClient } from './docspace/client';
import { People } from './docspace/people';
import type { CanonicalEvent } from './events';
import { emailHash, logger } from './logger';
import type { SyncResult } from './outcome';
import { docSpaceApiKey } from './secrets';
import { syncEvent } from './sync';

export async function applyEvent(event: CanonicalEvent, remainingMs: () => number): Promise<SyncResult> {
  const cfg = config();
  logger.appendKeys({
    eventId: event.id,
    eventType: event.type,
    source: event.source,
    ...(event.data.email ? { emailHash: emailHash(event.data.email) } : {}),
    ...(event.data.userId ? { userId: event.data.userId } : {}),
  });
  const client = new DocSpaceClient({
    baseUrl: cfg.docspaceUrl,
    apiKey: (refresh) => docSpaceApiKey(cfg.apiKeySecretId, cfg.secretsTtlSeconds, refresh),
  });
  try {
    const result = await syncEvent(event, {
      people: new People(client),
      roles: cfg.roles,
      remainingMs,
      ...(cfg.reassignUserId ? { reassignUserId: cfg.reassignUserId } : {}),
    });
    if (result.userId) logger.appendKeys({ userId: result.userId });
    return result;
  } finally {
    logger.appendKeys({ docspaceCalls: client.calls });
  }
}
