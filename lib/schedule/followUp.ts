/**
 * The follow-up door: a scheduled invocation (every minute) that finishes what outlived the invocations that
 * answered — downgrades still running, guest conversions, type changes deferred while a member was disabled, events
 * parked until their member appears — and logs each final outcome. Nothing waits for a sender's redelivery. Then
 * the members of SCIM groups who could not join (Guests, disabled) are offered again once eligible.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { logger } from '../log';
import { flushMetrics, recordPendingWork } from '../metrics/record';
import type { KeptWorkReport } from '../pipeline/exactlyOnce';

export interface FollowUpReport extends KeptWorkReport {
  /** SCIM group members DocSpace let join in this run, and those still waiting (Guests, disabled); when there were any. */
  groupMembersJoined?: number;
  groupMembersWaiting?: number;
}

export interface FollowUpServices {
  followUp(remainingMs: () => number): Promise<FollowUpReport>;
}

/** Members waiting to join groups, offered again (lib/scim/compose.ts). */
interface GroupOffers {
  offerPending(remainingMs: () => number): Promise<{ joined: number; waiting: number }>;
}

interface FollowUpPorts {
  /** A DRY_RUN stage applies nothing, not even work kept before it became one. */
  dryRun: boolean;
  /** The pipeline's follow-up: the work kept per member. */
  keptWork: (remainingMs: () => number) => Promise<KeptWorkReport>;
  /** SCIM's group offers, built on first use; absent where SCIM cannot run (no events table). */
  groupOffers?: () => Promise<GroupOffers>;
}

/** One follow-up run: the work kept per member, then the group offers, while time is left. */
export function followUps({ dryRun, keptWork, groupOffers }: FollowUpPorts): FollowUpServices['followUp'] {
  return async (remainingMs) => {
    if (dryRun) return { done: 0, remaining: 0, waiting: 0 };
    const report = await keptWork(remainingMs);
    if (!groupOffers) return report;
    const groups = await (await groupOffers()).offerPending(remainingMs);
    return groups.joined || groups.waiting ? { ...report, groupMembersJoined: groups.joined, groupMembersWaiting: groups.waiting } : report;
  };
}

export function followUpDoor(services: () => FollowUpServices) {
  return middy<unknown, FollowUpReport, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
    .use(flushMetrics())
    .handler(async (_event, context) => {
      const report = await services().followUp(() => context.getRemainingTimeInMillis());
      logger.info('follow-ups run', { ...report });
      recordPendingWork(report.remaining, report.waiting);
      return report;
    });
}
