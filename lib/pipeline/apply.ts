/**
 * Applies one canonical event to DocSpace: the DocSpace client for this invocation (the composition root's, which
 * re-reads the key once on a 401), the rule for the event's type, rule re-runs after ambiguous writes, and the log
 * keys that tie the summary line to the event.
 */
import type { DocSpaceClient, DocSpacePort } from '../docspace/client';
import { DocSpaceError } from '../docspace/errors';
import { People } from '../docspace/people';
import type { CanonicalEvent } from '../events';
import { eventKeys, logger } from '../log';
import { countDocSpaceRetry } from '../metrics/record';
import type { SyncResult } from '../outcome';
import type { RetryPolicy } from '../net/retry';
import type { RoleMap } from '../roles';
import type { Clock } from '../store/ports';
import { syncEvent } from '../sync';

export type Apply = (event: CanonicalEvent, remainingMs: () => number, options?: { resumeTypeChange?: boolean }) => Promise<SyncResult>;

export interface ApplyDeps {
  /** A DocSpace client for an invocation with this much time left: each event gets its own, for its call count. */
  client(remainingMs: () => number): DocSpaceClient;
  roles: RoleMap;
  reassignUserId?: string;
  clock: Clock;
  /** The port the rules use over the invocation's client: in plan mode, one that records the writes (lib/plan). */
  port?: (client: DocSpaceClient) => DocSpacePort;
}

/**
 * Runs of a rule: three in all, the policy's backoff between them (or DocSpace's own wait), within the invocation.
 * Each run's requests have their own retries (DOCSPACE_RETRY); a run is repeated only when one of them failed in a
 * way that passes (a write that may have been applied, or a read whose retries ran out).
 */
const RULE_RUNS: RetryPolicy = { attempts: 3, baseMs: 100, capMs: 5_000 };

export function applier(deps: ApplyDeps): Apply {
  return async (event, remainingMs, options = {}) => {
    logger.appendKeys(eventKeys(event));
    const client = deps.client(remainingMs);
    const sync = {
      people: new People(deps.port ? deps.port(client) : client),
      roles: deps.roles,
      remainingMs,
      sleep: deps.clock.sleep,
      ...(deps.reassignUserId ? { reassignUserId: deps.reassignUserId } : {}),
      ...(options.resumeTypeChange ? { resumeTypeChange: true } : {}),
    };
    try {
      const runs = client.retries(RULE_RUNS);
      for (let run = 1; ; run += 1) {
        try {
          const result = await syncEvent(event, sync);
          if (result.userId) logger.appendKeys({ userId: result.userId });
          return result;
        } catch (error) {
          // A write that failed in transit may or may not have been applied. Every rule reads before it writes, so
          // running it again from the start is safe: it finds what was applied and does only what is left.
          if (!(error instanceof DocSpaceError) || !error.retryable) throw error;
          const delay = runs.nextDelay(error.serverWaitMs);
          if (delay === undefined) throw error;
          logger.debug('running the rule again after a failed write', { run, status: error.status });
          countDocSpaceRetry();
          await runs.wait(delay);
        }
      }
    } finally {
      logger.appendKeys({ docspaceCalls: client.calls });
    }
  };
}
