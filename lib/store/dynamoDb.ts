/**
 * The events table's ports on one DynamoDB client. Loaded by the composition root on first use (lazy.ts), so the
 * client and the SDK stay out of an invocation that does not touch the table.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { powertoolsIdempotency, type IdempotencyKeys } from './idempotency';
import type { Clock, IdempotencyStore, KeySet, RecordStore } from './ports';
import { dynamoDbKeySet, dynamoDbRecords } from './records';

export interface EventsTable {
  records: RecordStore;
  keySet: (itemId: string) => KeySet;
  idempotency: IdempotencyStore;
}

export function openEventsTable(tableName: string, ttlSeconds: number, keys: IdempotencyKeys, clock: Clock): EventsTable {
  // The client honours AWS_ENDPOINT_URL_DYNAMODB, so tests and `npm start` reach dynalite.
  const client = new DynamoDBClient({});
  return {
    records: dynamoDbRecords(client, tableName, clock),
    keySet: (itemId) => dynamoDbKeySet(client, tableName, itemId),
    idempotency: powertoolsIdempotency(client, tableName, ttlSeconds, keys),
  };
}
