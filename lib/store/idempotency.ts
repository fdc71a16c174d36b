/**
 * Durable idempotency across containers with Powertools Idempotency on DynamoDB: the first delivery of an event id
 * runs, a later one gets the stored result, and one arriving while the first still runs is told to come back.
 */
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Context } from 'aws-lambda';
import type { CanonicalEvent } from '../events';
import type { SyncResult } from '../outcome';
import { dynamoDb } from './dynamodb';

/** Applies an event; `remainingMs` is the time left in the invocation that runs it (not part of the key). */
export type EventProcessor = (event: CanonicalEvent, remainingMs: () => number) => Promise<SyncResult>;

export interface Idempotent {
  run(event: CanonicalEvent, context: Context): Promise<SyncResult>;
}

export function idempotent(tableName: string, ttlSeconds: number, processor: EventProcessor): Idempotent {
  const config = new IdempotencyConfig({
    // Senders' ids are unique per sender and event type; one webhook may carry several canonical events.
    eventKeyJmesPath: '[source, type, id]',
    // The same id with other data is a sender's mistake, not a redelivery: refuse it rather than answer stale data.
    payloadValidationJmesPath: 'data',
    expiresAfterSeconds: ttlSeconds,
  });
  const wrapped = makeIdempotent(processor, {
    persistenceStore: new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: dynamoDb() }),
    config,
    dataIndexArgument: 0,
  });
  return {
    run: (event, context) => {
      // In-progress records expire with this invocation, so a crashed container does not block the event forever.
      config.registerLambdaContext(context);
      return wrapped(event, () => context.getRemainingTimeInMillis());
    },
  };
}
