/**
 * Applies one canonical event to DocSpace: the DocSpace client for this invocation (key from Secrets Manager,
 * re-read once on a 401), the rule for the event's type, and the log keys that tie the summary line to the event.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { config } from '../settings';
import { backoffDelayMs } from '../docspace/backoff';
import { DocSpaceClient } from '../docspace/client';
import { DocSpaceError } from '../docspace/errors';
import { People } from '../docspace/people';
import type { CanonicalEvent } from '../events';
import { emailHash, logger } from '../log';
import type { SyncResult } from '../outcome';
import { docSpaceApiKey } from '../secrets/secretsManager';
import { syncEvent } from '../sync';

export async function applyEvent(event: CanonicalEvent, remainingMs: () => number, options: { resumeTypeChange?: boolean } = {}): Promise<SyncResult> {
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
    remainingMs,
    connections: cfg.docspaceConnections,
  });
  const deps = {
    people: new People(client),
    roles: cfg.roles,
    remainingMs,
    ...(cfg.reassignUserId ? { reassignUserId: cfg.reassignUserId } : {}),
    ...(options.resumeTypeChange ? { resumeTypeChange: true } : {}),
  };
  try {
    for (let attempt = 0; ; attempt += 1) {
      try {
        const result = await syncEvent(event, deps);
        if (result.userId) logger.appendKeys({ userId: result.userId });
        return result;
      } catch (error) {
        // A write that failed in transit may or may not have been applied. Every rule reads before it writes, so
        // running it again from the start is safe: it finds what was applied and does only what is left.
        if (!(error instanceof DocSpaceError) || !error.retryable) throw error;
        const delay = backoffDelayMs(attempt, error.retryAfterSeconds);
        if (!client.hasTimeFor(delay)) throw error;
        logger.debug('running the rule again after a failed write', { attempt, status: error.status });
        await sleep(delay);
      }
    }
  } finally {
    logger.appendKeys({ docspaceCalls: client.calls });
  }
}
