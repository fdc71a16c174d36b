/**
 * The RecordStore port on DynamoDB: one item per key (`id`), the record's fields as attributes and a revision
 * (`rev`) for compare-and-set. Items written before revisions existed (the stale-event marks of earlier versions)
 * read as revision 0, and the first write to them must still find them without one.
 */
import { ConditionalCheckFailedException, GetItemCommand, PutItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { KeySet, RecordStore } from './ports';

export function dynamoDbRecords(client: DynamoDBClient, tableName: string): RecordStore {
  return {
    async get<T extends object>(key: string) {
      const { Item } = await client.send(new GetItemCommand({ TableName: tableName, Key: { id: { S: key } }, ConsistentRead: true }));
      if (!Item) return undefined;
      const { id: _id, rev, ...value } = unmarshall(Item) as Record<string, unknown>;
      return { value: value as T, version: typeof rev === 'number' ? rev : 0 };
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
