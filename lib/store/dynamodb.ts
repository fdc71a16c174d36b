import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

let client: DynamoDBClient | undefined;

/** One DynamoDB client per container (it honours AWS_ENDPOINT_URL_DYNAMODB, so tests reach dynalite). */
export function dynamoDb(): DynamoDBClient {
  client ??= new DynamoDBClient({});
  return client;
}
