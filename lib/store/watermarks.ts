/**
 * Stale-event protection and ordering, per member and kind of change: the `occurredAt` of the newest event claimed
 * so far, and a short lease while it is being applied. An older event that arrives later (webhooks come out of
 * order) must not undo the newer change; and an older event already being applied must finish before a newer one
 * starts, or its write could land last. Claims are conditional writes, so two containers racing cannot both win; a
 * redelivery of the claiming event (same id) passes again, so a retry after a failure is not taken for stale.
 */
import { ConditionalCheckFailedException, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { CanonicalEvent } from '../events';
import { dynamoDb } from './dynamodb';

export type Claim = { state: 'claimed'; pendingTask: boolean } | { state: 'stale' } | { state: 'busy' };

/**
 * How long a member stays held after a downgrade that DocSpace was still running when the function had to answer:
 * newer role events wait (409) rather than race the server's task; a redelivery of the same event resumes it.
 */
export const PENDING_TASK_LEASE_MS = 15 * 60_000;

/** Who the event is about, as the sender named them: the DocSpace id when given, else the e-mail. */
function memberKey(event: CanonicalEvent): string {
  return event.data.userId ? `id:${event.data.userId.toLowerCase()}` : `email:${(event.data.email ?? '').toLowerCase()}`;
}

/** Disabling and enabling are one kind of change: the newer of the two wins. */
const kindOf = (event: CanonicalEvent): string => (event.type === 'user.deactivated' || event.type === 'user.reactivated' ? 'user.status' : event.type);

const keyOf = (event: CanonicalEvent) => ({ id: { S: `watermark#${kindOf(event)}#${memberKey(event)}` } });

/**
 * Claims the member for this event until `leaseMs` from now: 'stale' if a newer event came first, 'busy' if one is
 * being applied. `pendingTask` says this event left a DocSpace task running last time (see releaseMember).
 */
export async function claimMember(tableName: string, event: CanonicalEvent, leaseMs: number): Promise<Claim> {
  const at = String(Date.parse(event.occurredAt));
  const now = Date.now();
  try {
    const { Attributes } = await dynamoDb().send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: keyOf(event),
        UpdateExpression: 'SET occurredAtMs = :at, eventId = :id, leasedUntil = :until',
        ConditionExpression:
          '(attribute_not_exists(id) OR occurredAtMs < :at OR (occurredAtMs = :at AND eventId = :id)) AND ' +
          '(attribute_not_exists(leasedUntil) OR leasedUntil < :now OR eventId = :id)',
        ExpressionAttributeValues: {
          ':at': { N: at },
          ':id': { S: event.id },
          ':now': { N: String(now) },
          ':until': { N: String(now + leaseMs) },
        },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return { state: 'claimed', pendingTask: Attributes?.eventId?.S === event.id && Attributes.pendingTask?.BOOL === true };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
  const { Item } = await dynamoDb().send(new GetItemCommand({ TableName: tableName, Key: keyOf(event), ConsistentRead: true }));
  const claimedAt = Number(Item?.occurredAtMs?.N ?? 0);
  return claimedAt > Number(at) || (claimedAt === Number(at) && Item?.eventId?.S !== event.id) ? { state: 'stale' } : { state: 'busy' };
}

/**
 * Ends this event's lease, so the next event for the member need not wait for it to expire; or, when the event left
 * a DocSpace task running, holds the member longer and notes the task for the event's redelivery.
 */
export async function releaseMember(tableName: string, event: CanonicalEvent, taskStillRunning = false): Promise<void> {
  try {
    await dynamoDb().send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: keyOf(event),
        UpdateExpression: 'SET leasedUntil = :until, pendingTask = :pending',
        ConditionExpression: 'eventId = :id',
        ExpressionAttributeValues: {
          ':until': { N: String(taskStillRunning ? Date.now() + PENDING_TASK_LEASE_MS : 0) },
          ':pending': { BOOL: taskStillRunning },
          ':id': { S: event.id },
        },
      }),
    );
  } catch (error) {
    // A newer event has claimed the member since: its lease is not ours to end.
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}
