/**
 * Stale-event protection: per member and event type, the `occurredAt` of the newest event claimed so far. An older
 * event that arrives later (webhooks come out of order) must not undo the newer change. The claim is one conditional
 * write, so two containers racing on the same member cannot both win; a redelivery of the claiming event (same id)
 * passes again, so a retry after a failure is not mistaken for a stale event.
 */
import { ConditionalCheckFailedException, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { CanonicalEvent } from '../events';
import { dynamoDb } from './dynamodb';

/** Who the event is about, as the sender named them: the DocSpace id when given, else the e-mail. */
export function memberKey(event: CanonicalEvent): string {
  return event.data.userId ? `id:${event.data.userId.toLowerCase()}` : `email:${(event.data.email ?? '').toLowerCase()}`;
}

/** True when the event is the newest of its kind for its member (and is now recorded as such). */
export async function claimWatermark(tableName: string, event: CanonicalEvent): Promise<boolean> {
  const occurredAtMs = Date.parse(event.occurredAt);
  try {
    await dynamoDb().send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          id: { S: `watermark#${event.type}#${memberKey(event)}` },
          occurredAtMs: { N: String(occurredAtMs) },
          eventId: { S: event.id },
        },
        ConditionExpression: 'attribute_not_exists(id) OR occurredAtMs < :at OR (occurredAtMs = :at AND eventId = :id)',
        ExpressionAttributeValues: { ':at': { N: String(occurredAtMs) }, ':id': { S: event.id } },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
