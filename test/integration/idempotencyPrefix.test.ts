/**
 * One key space across functions, and the upgrade from Powertools' default: a key written under a function's own
 * name (what earlier versions wrote) is still honoured, so a running deployment does not apply an old event again.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '../../lib/events';
import { powertoolsIdempotency } from '../../lib/store/idempotency';
import { DynamoDbEmulator } from '../../local/emulators/dynamodb';
import { lambdaContext, setEnv } from '../../local/lambda';

const table = 'prefix-events';
const dynamoDb = new DynamoDbEmulator();
let client: DynamoDBClient;
const event: CanonicalEvent = {
  id: 'evt_old',
  type: 'user.deactivated',
  occurredAt: '2026-11-22T00:00:00Z',
  source: 'okta',
  data: { email: 'old@example.com' },
};

beforeAll(async () => {
  await dynamoDb.start();
  await dynamoDb.createEventsTable(table);
  client = new DynamoDBClient({
    endpoint: dynamoDb.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
});

afterAll(async () => {
  client?.destroy();
  await dynamoDb.stop();
});

describe('idempotency keys', () => {
  it('share one prefix across functions, and still read what a function wrote under its own name', async () => {
    // The earlier version: no key prefix, so Powertools used the function's name (AWS_LAMBDA_FUNCTION_NAME).
    const restore = setEnv({ AWS_LAMBDA_FUNCTION_NAME: 'docspace-idp-sync-prod-oktaHook' });
    const before = powertoolsIdempotency(client, table, 3600, { prefix: '', legacyPrefixes: [] });
    restore();
    let applied = 0;
    const apply = async () => {
      applied += 1;
      return { result: { outcome: 'updated' as const, userId: 'u1' }, final: true };
    };
    expect(await before.once(event, lambdaContext('docspace-idp-sync-prod-oktaHook'), apply)).toEqual({ outcome: 'updated', userId: 'u1' });

    // After the upgrade, in another function (the worker): the old key is found, the event not applied again.
    const upgraded = powertoolsIdempotency(client, table, 3600, {
      prefix: 'docspace-idp-sync',
      legacyPrefixes: ['docspace-idp-sync-prod-userCreated', 'docspace-idp-sync-prod-oktaHook'],
    });
    expect(await upgraded.once(event, lambdaContext('docspace-idp-sync-prod-worker'), apply)).toEqual({ outcome: 'updated', userId: 'u1' });
    expect(applied).toBe(1);

    // Without the old prefixes it would have been applied twice: the case the setting is there for.
    const forgetful = powertoolsIdempotency(client, table, 3600, { prefix: 'docspace-idp-sync', legacyPrefixes: [] });
    await forgetful.once(event, lambdaContext('docspace-idp-sync-prod-worker'), apply);
    expect(applied).toBe(2);

    // And now the fixed prefix holds it: any function finds it.
    await upgraded.once(event, lambdaContext('docspace-idp-sync-prod-scim'), apply);
    expect(applied).toBe(2);
  });
});
