/**
 * The RecordStore port on DynamoDB: one item per key (`id`), the record's fields as attributes and a revision
 * (`rev`) for compare-and-set. Items written before revisions existed (the stale-event marks of earlier versions)
 * read as revision 0, and the first write to them must still find them without one.
 */
import {
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue, BatchGetItemCommandOutput } from '@aws-sdk/client-dynamodb';
import { Retries, type RetryPolicy } from '../net/retry';
import { RefusedEvent } from '../outcome';
import type { Clock, KeySet, RecordStore } from './ports';

/** BatchGetItem's most keys per request. */
const BATCH_GET_KEYS = 100;

/**
 * Asking again for the keys a BatchGetItem left unprocessed: six requests in all, backoff from 50 ms to 1 s with full
 * jitter (AWS's advice for UnprocessedKeys). Throttling errors themselves are the SDK's own retry's.
 */
const LEFTOVERS: RetryPolicy = { attempts: 6, baseMs: 50, capMs: 1_000 };

export function dynamoDbRecords(client: DynamoDBClient, tableName: string, clock: Clock): RecordStore {
  return {
    async get<T extends object>(key: string) {
      const { Item } = await client.send(new GetItemCommand({ TableName: tableName, Key: { id: { S: key } }, ConsistentRead: true }));
      if (!Item) return undefined;
      const { id: _id, rev, ...value } = unmarshall(Item) as Record<string, unknown>;
      return { value: value as T, version: typeof rev === 'number' ? rev : 0 };
    },
    async getMany<T extends object>(keys: readonly string[]) {
      const out = new Map<string, T>();
      const unique = [...new Set(keys)];
      for (let i = 0; i < unique.length; i += BATCH_GET_KEYS) {
        let pending: Record<string, AttributeValue>[] = unique.slice(i, i + BATCH_GET_KEYS).map((id) => ({ id: { S: id } }));
        // Keys DynamoDB did not get to (throttling, the 16 MB answer limit) come back as UnprocessedKeys: ask again.
        const retries = new Retries(LEFTOVERS, { clock });
        for (;;) {
          const answer: BatchGetItemCommandOutput = await client.send(
            new BatchGetItemCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }),
          );
          for (const item of answer.Responses?.[tableName] ?? []) {
            const { id, rev: _rev, ...value } = unmarshall(item) as Record<string, unknown>;
            out.set(String(id), value as T);
          }
          const left = answer.UnprocessedKeys?.[tableName]?.Keys;
          if (!left || left.length === 0) break;
          if (!(await retries.next())) {
            throw new RefusedEvent(
              'unavailable',
              `DynamoDB left ${left.length} of the keys asked for unprocessed after ${LEFTOVERS.attempts} requests; try again shortly`,
              undefined,
              5,
            );
          }
          pending = left;
        }
      }
      return out;
    },
    async put<T extends object>(key: string, value: T, expected: number | undefined) {
      const condition =
        expected === undefined
          ? { ConditionExpression: 'attribute_not_exists(id)' }
          : expected === 0
            ? { ConditionExpression: 'attribute_exists(id) AND attribute_not_exists(rev)' }
            : { ConditionExpression: 'rev = :rev', ExpressionAttributeValues: { ':rev': { N: String(expected) } } };
      const item = { ...marshall(value, { removeUndefinedValues: true }), id: { S: key }, rev: { N: String((expected ?? 0) + 1) } };
      try {
        await client.send(new PutItemCommand({ TableName: tableName, Item: item, ...condition }));
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },
  };
}

/** The KeySet port on DynamoDB: one item whose string set is changed with atomic ADD and DELETE. */
export function dynamoDbKeySet(client: DynamoDBClient, tableName: string, itemId: string): KeySet {
  const change = (action: 'ADD' | 'DELETE', key: string) =>
    client.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: { id: { S: itemId } },
        UpdateExpression: `${action} members :m`,
        ExpressionAttributeValues: { ':m': { SS: [key] } },
      }),
    );
  return {
    add: async (key) => void (await change('ADD', key)),
    remove: async (key) => void (await change('DELETE', key)),
    async list() {
      const { Item } = await client.send(new GetItemCommand({ TableName: tableName, Key: { id: { S: itemId } }, ConsistentRead: true }));
      return Item?.members?.SS ?? [];
    },
  };
}
