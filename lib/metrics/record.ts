/**
 * What the service counts, in CloudWatch's Embedded Metric Format (Powertools Metrics), namespace `DocSpaceIdpSync`.
 * Every dimension is low-cardinality: a door, a sender, an event type, an outcome, a SCIM operation — never an
 * e-mail, a member id or an event id (those are in the log lines, for the one query).
 *
 * - Per-invocation figures (DocSpace requests, latency, errors, retries; events kept) go to the shared buffer with
 *   the `service` and `stage` dimensions alone, and `flushMetrics()` writes them as one EMF line when the invocation
 *   ends.
 * - Per-request and per-event counts (`Requests`, `Events`, `ScimRequests`) carry dimensions whose values change
 *   within one invocation (a worker batch, a sender's delivery of several events): they are added up per metric and
 *   dimension values, and each sum is its own EMF line when the invocation ends (a batch of ten hires: one line).
 *   One dimension set each: the totals by outcome, by door and so on are CloudWatch Metrics Insights queries
 *   (`GROUP BY`), not more sets (each set is another custom metric, and Powertools warns of a key in two sets).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { AsyncLocalStorage } from 'node:async_hooks';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type middy from '@middy/core';
import { metrics } from './metrics';

/**
 * Every figure carries the stage (`STAGE`, which serverless.yml sets to the deployed stage; `local` elsewhere), so
 * that two stages in one account and region never add up, and an alarm watches its own stage only.
 */
metrics.setDefaultDimensions({ stage: process.env.STAGE || 'local' });

/** The function that met the event: a canonical route, a sender's route, SCIM, the queue worker or the follow-ups. */
export type Door = 'canonical' | 'sender' | 'scim' | 'worker' | 'followUp';

/** Event sources that are a dimension value; anything else a canonical sender wrote in `source` is `canonical`. */
const KNOWN_SOURCES = new Set(['okta', 'bamboohr', 'hibob', 'scim']);

/** The `sender` dimension of an event: the sender that translated it, `scim`, `reconcile`, or `canonical`. */
export const senderLabel = (source: string | undefined): string =>
  source === undefined ? 'canonical' : KNOWN_SOURCES.has(source) ? source : source.startsWith('reconcile:') ? 'reconcile' : 'canonical';

/** One instance for the per-dimension lines: `singleMetric()` builds a Metrics (and a Console) each time. */
let single: ReturnType<typeof metrics.singleMetric> | undefined;

/** Set while a plan runs: what it would do is not what happened (the door counts the plan itself as `planned`). */
const planning = new AsyncLocalStorage<true>();

/** Runs `work` without counting events, requests or kept work: a plan's outcomes are not real ones. */
export const uncounted = <T>(work: () => Promise<T>): Promise<T> => planning.run(true, work);

/** This invocation's counts by metric and dimension values: one line each when it ends, however many events. */
const counts = new Map<string, { metric: string; dimensions: Record<string, string>; value: number }>();

function count(metric: string, dimensions: Record<string, string>, value = 1): void {
  if (planning.getStore()) return;
  const key = `${metric}\u0000${Object.values(dimensions).join('\u0000')}`;
  const known = counts.get(key);
  if (known) known.value += value;
  else counts.set(key, { metric, dimensions, value });
}

function publishCounts(): void {
  single ??= metrics.singleMetric();
  for (const { metric, dimensions, value } of counts.values()) single.addDimensions(dimensions).addMetric(metric, MetricUnit.Count, value);
  counts.clear();
}

/** One canonical event and how it ended, at the door that answered for it. */
export function countEvent(door: Door, sender: string, eventType: string, outcome: string): void {
  count('Events', { door, sender, eventType, outcome });
}

/** One request a webhook door answered (a delivery of one or more events, a handshake, a refusal). */
export function countRequest(door: Door, sender: string, outcome: string): void {
  count('Requests', { door, sender, outcome });
}

/** One SCIM request: the operation as `METHOD /Resource[/{id}]` and its outcome. */
export function countScimRequest(operation: string, outcome: string): void {
  count('ScimRequests', { operation, outcome });
}

/**
 * A reconcile run: its drift by kind, the items applied (or queued), held back and failed, per sender; and, when the
 * safety threshold stopped it, the run itself with the service and stage alone (the held-back alarm's figure).
 */
export function countReconcileRun(
  sender: string,
  drift: Record<string, number>,
  done: { applied: number; heldBack: number; failed: number },
): void {
  for (const [kind, items] of Object.entries(drift)) count('ReconcileDrift', { sender, kind }, items);
  count('ReconcileApplied', { sender }, done.applied);
  count('ReconcileHeldBack', { sender }, done.heldBack);
  count('ReconcileFailed', { sender }, done.failed);
  if (done.heldBack > 0) count('ReconcileHeldBackRuns', {});
}

let docspaceRequests = 0;

/** One DocSpace request: its time, and whether it failed in a way that passes (no answer, 429, 5xx). */
export function recordDocSpaceRequest(latencyMs: number, failed: boolean): void {
  docspaceRequests += 1;
  metrics.addMetric('DocSpaceLatency', MetricUnit.Milliseconds, Math.round(latencyMs * 10) / 10);
  if (failed) metrics.addMetric('DocSpaceErrors', MetricUnit.Count, 1);
}

/** A DocSpace request (or a sync rule) tried again after a failure that may pass. */
export function countDocSpaceRetry(): void {
  metrics.addMetric('DocSpaceRetries', MetricUnit.Count, 1);
}

/** An event newly kept by the pipeline: its member does not exist yet (`parked`), or is disabled (`deferred`). */
export function countKept(outcome: 'parked' | 'deferred'): void {
  if (planning.getStore()) return;
  metrics.addMetric(outcome === 'parked' ? 'EventsParked' : 'EventsDeferred', MetricUnit.Count, 1);
}

/** After a follow-up run: events still to finish, and those waiting for a member to appear or be enabled. */
export function recordPendingWork(remaining: number, waiting: number): void {
  metrics.addMetric('PendingRemaining', MetricUnit.Count, remaining);
  metrics.addMetric('PendingWaiting', MetricUnit.Count, waiting);
}

/**
 * When the invocation ends (after the handler or its error): a line per counted metric and dimension values, then
 * the shared buffer through Powertools' `logMetrics`, always with `DocSpaceRequests`, the DocSpace requests the
 * invocation made (zero for a door that made none), so that Powertools never warns of an empty flush. Use it before
 * the door's other middlewares, so that their `after` (the answer, counted) runs first.
 */
export function flushMetrics(): middy.MiddlewareObj[] {
  const finish = () => {
    publishCounts();
    metrics.addMetric('DocSpaceRequests', MetricUnit.Count, docspaceRequests);
    docspaceRequests = 0;
  };
  return [logMetrics(metrics), { after: finish, onError: finish }];
}
