/**
 * The IdempotencyStore port with Powertools Idempotency on DynamoDB: the first delivery of an event id runs, a later
 * one gets the stored result, and one arriving while the first still runs is told to come back. Only final results
 * are stored: a result that is not final leaves the section as an error, so Powertools removes its record.
 */
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyInconsistentStateError,
  IdempotencyItemNotFoundError,
  IdempotencyPersistenceLayerError,
  IdempotencyRecordStatus,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CanonicalEvent } from '../events';
import { RefusedEvent, type SyncResult } from '../outcome';
import { IN_FLIGHT_RETRY_AFTER_SECONDS, type Attempt, type IdempotencyStore } from './ports';

/** Carries a result out of the idempotent section without it being stored. */
class NotFinal extends Error {
  constructor(readonly result: SyncResult) {
    super(result.outcome);
  }
}

type Section = (remainingMs: () => number) => Promise<Attempt>;

/**
 * Where the keys live. Powertools prefixes a key with the function's name unless told otherwise; one fixed prefix
 * makes the doors, the worker, SCIM and the follow-ups share one key space (an event applied by one is not applied
 * again by another). Keys written before under the functions' own names are read too, until they expire.
 */
export interface IdempotencyKeys {
  prefix: string;
  /** Prefixes earlier versions wrote under (the functions' names): read, never written. */
  legacyPrefixes: readonly string[];
}

export function powertoolsIdempotency(
  client: DynamoDBClient,
  tableName: string,
  ttlSeconds: number,
  keys: IdempotencyKeys,
): IdempotencyStore {
  const config = new IdempotencyConfig({
    // Senders' ids are unique per sender and event type; one webhook may carry several canonical events.
    eventKeyJmesPath: '[source, type, id]',
    // The same id with other data is a sender's mistake, not a redelivery: refuse it rather than answer stale data.
    payloadValidationJmesPath: 'data',
    expiresAfterSeconds: ttlSeconds,
  });
  const wrapped = makeIdempotent(
    async (_event: CanonicalEvent, remainingMs: () => number, section: Section): Promise<SyncResult> => {
      const { result, final } = await section(remainingMs);
      if (!final) throw new NotFinal(result);
      return result;
    },
    {
      persistenceStore: new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: client }),
      config,
      dataIndexArgument: 0,
      keyPrefix: keys.prefix,
    },
  );
  const layerFor = (keyPrefix: string) => {
    const layer = new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: client });
    layer.configure({ config, keyPrefix });
    return layer;
  };
  const legacy = keys.legacyPrefixes.map(layerFor);
  const current = layerFor(keys.prefix);
  /** The result stored for this event under one of these prefixes, when it was finished. */
  async function earlier(event: CanonicalEvent, layers = legacy): Promise<SyncResult | undefined> {
    for (const layer of layers) {
      try {
        const record = await layer.getRecord(event);
        if (record.getStatus() === IdempotencyRecordStatus.COMPLETED) return record.getResponse() as unknown as SyncResult;
      } catch (error) {
        if (error instanceof IdempotencyItemNotFoundError) continue;
        throw error;
      }
    }
    return undefined;
  }
  return {
    async lookup(event) {
      try {
        return await earlier(event, [current, ...legacy]);
      } catch (error) {
        throw translated(error, event);
      }
    },
    async once(event, context, apply) {
      // In-progress records expire with this invocation, so a crashed container does not block the event forever.
      config.registerLambdaContext(context);
      try {
        const before = legacy.length > 0 ? await earlier(event) : undefined;
        if (before) return before;
        return await wrapped(event, () => context.getRemainingTimeInMillis(), apply);
      } catch (error) {
        if (error instanceof NotFinal) return error.result;
        throw translated(error, event);
      }
    },
  };
}

function translated(error: unknown, event: CanonicalEvent): unknown {
  if (error instanceof IdempotencyAlreadyInProgressError) {
    return new RefusedEvent(
      'in_flight',
      `event ${event.id} is being applied right now; try again shortly`,
      undefined,
      IN_FLIGHT_RETRY_AFTER_SECONDS,
    );
  }
  if (error instanceof IdempotencyValidationError) {
    return new RefusedEvent('invalid', `event id ${event.id} was already used for an event with other data`, [
      'id: reused for different data',
    ]);
  }
  // The store unreachable or throttled, or its state changing under us (the other delivery's record was removed
  // between our conditional write and our read): passes with time.
  if (
    error instanceof IdempotencyPersistenceLayerError ||
    error instanceof IdempotencyInconsistentStateError ||
    error instanceof IdempotencyItemNotFoundError
  ) {
    return new RefusedEvent(
      'unavailable',
      `the idempotency store is unavailable: ${error.message}`,
      undefined,
      IN_FLIGHT_RETRY_AFTER_SECONDS,
    );
  }
  return error;
}
