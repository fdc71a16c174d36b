/** An in-memory DynamoDB (dynalite) for the idempotency table, reached through AWS_ENDPOINT_URL_DYNAMODB. */
import { CreateTableCommand, DeleteTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export class DynamoDbEmulator {
  url = '';
  private readonly server: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    this.url = `http://${host}:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  private client(): DynamoDBClient {
    return new DynamoDBClient({ endpoint: this.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  }

  /** Forgets every processed event and watermark: tests that replay the same samples start clean. */
  async clearEventsTable(tableName: string): Promise<void> {
    const client = this.client();
    await client.send(new DeleteTableCommand({ TableName: tableName }));
    client.destroy();
    await this.createEventsTable(tableName);
  }

  /** The table serverless.yml declares: partition key `id`, expiry in `expiration`. */
  async createEventsTable(tableName: string): Promise<void> {
    const client = this.client();
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    // dynalite answers CreateTable while the table is still CREATING (for a tick): wait until it takes requests.
    while ((await client.send(new DescribeTableCommand({ TableName: tableName }))).Table?.TableStatus !== 'ACTIVE') {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    client.destroy();
  }

  stop(): Promise<void> {
    this.server.closeAllConnections?.();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
