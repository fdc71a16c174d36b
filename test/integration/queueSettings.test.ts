/**
 * A setting a request does not need never fails it. Queue mode's queue and events table are checked where an event
 * is enqueued: a direct invocation (invoke local) applies at once without them, a request the door enqueues names the
 * missing setting (500 misconfigured, no DocSpace call), and an unsigned request is a 401 before any secret is read.
 * The queue is found by its plain name: from the function's ARN, or — with no real ARN, as under invoke local and
 * serverless offline — by asking the local SQS.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROUTE_BY_TYPE } from '../../lib/http/routes';
import { composedHandlers, httpEvent, invokeHttp, lambdaContext, setEnv, signedHttpEvent, virtualClock } from '../../local/lambda';
import { LOCAL } from '../../local/stack';
import { useLocalStack } from '../support/localStack';

const local = useLocalStack({ DELIVERY_MODE: 'queue' });
const hire = JSON.parse(readFileSync('events/user-created.json', 'utf8')) as Record<string, unknown>;

/** The canonical user.created door composed from the environment as it is now, with `env` on top. */
async function withEnv<T>(
  env: Record<string, string>,
  run: (door: ReturnType<ReturnType<typeof composedHandlers>['canonical']>) => Promise<T>,
): Promise<T> {
  const restore = setEnv(env);
  try {
    return await run(composedHandlers(virtualClock()).canonical('user.created'));
  } finally {
    restore();
  }
}

describe('queue mode settings, checked where an event is enqueued', () => {
  it('a request the door enqueues names QUEUE_NAME when no queue is set, and DocSpace receives nothing', async () => {
    local.stack.docspace.reset();
    const answer = await withEnv({ QUEUE_URL: '', QUEUE_NAME: '' }, (door) =>
      invokeHttp(door, signedHttpEvent(ROUTE_BY_TYPE['user.created'], { ...hire, id: 'qs-missing' })),
    );
    expect(answer.statusCode).toBe(500);
    expect(answer.body).toMatchObject({ outcome: 'misconfigured' });
    expect(String(answer.body.message)).toMatch(/^QUEUE_NAME: .*DELIVERY_MODE=sync/);
    expect(local.stack.docspace.requests).toEqual([]);
  });

  it('a direct invocation applies at once in queue mode with no queue set', async () => {
    local.stack.docspace.reset();
    const result = await withEnv({ QUEUE_URL: '', QUEUE_NAME: '' }, (door) =>
      door({ ...hire, id: 'qs-direct' }, lambdaContext('userCreated')),
    );
    expect(result).toMatchObject({ outcome: 'created' });
    expect(local.stack.docspace.requests.filter((r) => r.method === 'POST').length).toBe(1);
  });

  it('finds the queue by QUEUE_NAME alone: from the function ARN, or by name where the ARN is a stand-in', async () => {
    local.stack.docspace.reset();
    await local.stack.sqs.purge();
    for (const [id, arn] of [
      ['qs-arn', 'arn:aws:lambda:us-east-1:123456789012:function:docspace-idp-sync-dev-userCreated'],
      ['qs-offline', 'offline_invokedFunctionArn_for_userCreated'],
    ] as const) {
      const context = { ...lambdaContext('userCreated'), invokedFunctionArn: arn };
      const answer = await withEnv({ QUEUE_URL: '', QUEUE_NAME: LOCAL.queueName }, (door) =>
        invokeHttp(
          door,
          signedHttpEvent(ROUTE_BY_TYPE['user.created'], { ...hire, id, data: { ...(hire.data as object), email: `${id}@example.com` } }),
          context,
        ),
      );
      expect(answer.statusCode, JSON.stringify(answer.body)).toBe(202);
    }
    expect(await local.stack.sqs.depth(local.stack.sqs.queueUrl)).toBe(2);
    expect(local.stack.docspace.requests).toEqual([]);
    await local.stack.sqs.purge();
  });

  it('an unsigned request is a 401 even when the secrets cannot be read', async () => {
    const answer = await withEnv({ AWS_ENDPOINT_URL_SECRETS_MANAGER: 'http://127.0.0.1:9' }, (door) =>
      invokeHttp(door, httpEvent(ROUTE_BY_TYPE['user.created'], JSON.stringify(hire), { 'content-type': 'application/json' })),
    );
    expect(answer.statusCode).toBe(401);
    expect(answer.body).toMatchObject({
      outcome: 'unauthorized',
      message: 'missing signature header(s): webhook-id, webhook-timestamp, webhook-signature',
    });
  });
});
