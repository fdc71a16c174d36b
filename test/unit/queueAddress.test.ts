/**
 * Where queue mode sends, found where an event is enqueued: QUEUE_URL wins, else the URL built from QUEUE_NAME and
 * the function's ARN, else (invoke local, serverless offline: no real ARN) SQS's answer by name. A setting that names
 * no queue is `misconfigured` and says which setting, never a 503 that invites retries for ever.
 */
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../lib/outcome';
import { queueUrlFromArn, resolveQueueUrl } from '../../lib/queue/address';
import { ingress } from '../../lib/queue/ingress';
import { MemoryQueue } from '../../lib/queue/memory';
import { buildRoleMap } from '../../lib/roles';
import { parseSettings } from '../../lib/settings';

const ARN = 'arn:aws:lambda:eu-central-1:123456789012:function:docspace-idp-sync-prod-userCreated';
const noLookUp = () => Promise.reject(new Error('no SQS call expected'));

describe('the queue address', () => {
  it('builds the URL from the name and the account and region of the function ARN, per partition', () => {
    expect(queueUrlFromArn('q.fifo', ARN)).toBe('https://sqs.eu-central-1.amazonaws.com/123456789012/q.fifo');
    expect(queueUrlFromArn('q.fifo', 'arn:aws-cn:lambda:cn-north-1:123456789012:function:f:live')).toBe(
      'https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q.fifo',
    );
    expect(queueUrlFromArn('q.fifo', 'arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f')).toBe(
      'https://sqs.us-gov-west-1.amazonaws.com/123456789012/q.fifo',
    );
    // serverless offline's stand-in, and invoke local's none
    expect(queueUrlFromArn('q.fifo', 'offline_invokedFunctionArn_for_userCreated')).toBeUndefined();
    expect(queueUrlFromArn('q.fifo', undefined)).toBeUndefined();
  });

  it('takes QUEUE_URL as it is when set, without a call', async () => {
    await expect(
      resolveQueueUrl(
        { queueUrl: 'http://127.0.0.1:9324/000000000000/q.fifo', queueName: 'other.fifo' },
        { invokedFunctionArn: ARN },
        noLookUp,
      ),
    ).resolves.toBe('http://127.0.0.1:9324/000000000000/q.fifo');
  });

  it('builds it from QUEUE_NAME and the ARN without a call, and asks SQS by name where there is no ARN', async () => {
    await expect(resolveQueueUrl({ queueName: 'q.fifo' }, { invokedFunctionArn: ARN }, noLookUp)).resolves.toBe(
      'https://sqs.eu-central-1.amazonaws.com/123456789012/q.fifo',
    );
    const asked: string[] = [];
    const lookUp = (name: string) => {
      asked.push(name);
      return Promise.resolve(`http://127.0.0.1:9324/000000000000/${name}`);
    };
    await expect(
      resolveQueueUrl({ queueName: 'q.fifo' }, { invokedFunctionArn: 'offline_invokedFunctionArn_for_x' }, lookUp),
    ).resolves.toBe('http://127.0.0.1:9324/000000000000/q.fifo');
    expect(asked).toEqual(['q.fifo']);
  });

  it('names the setting, and how to set it locally, when it names no queue', async () => {
    const missing = await resolveQueueUrl({}, { invokedFunctionArn: ARN }, noLookUp).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ConfigurationError);
    expect(String(missing)).toMatch(/QUEUE_NAME: .*DELIVERY_MODE=sync.*AWS_ENDPOINT_URL_SQS/);
    const wrongUrl = await resolveQueueUrl({ queueUrl: '[object Object]' }, undefined, noLookUp).catch((e: unknown) => e);
    expect(wrongUrl).toBeInstanceOf(ConfigurationError);
    expect(String(wrongUrl)).toMatch(/QUEUE_URL: "\[object Object\]" is not an http\(s\) URL/);
    const noSuchQueue = () =>
      Promise.reject(
        Object.assign(new Error('The specified queue does not exist.'), {
          name: 'QueueDoesNotExist',
          Code: 'AWS.SimpleQueueService.NonExistentQueue',
        }),
      );
    const absent = await resolveQueueUrl({ queueName: 'nope.fifo' }, undefined, noSuchQueue).catch((e: unknown) => e);
    expect(absent).toBeInstanceOf(ConfigurationError);
    expect(String(absent)).toMatch(/QUEUE_NAME: SQS has no queue named "nope.fifo"/);
  });

  it('leaves SQS not answering to the caller (a 503 at the door), not a configuration fault', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9324'), { code: 'ECONNREFUSED' });
    const down = () => Promise.reject(refused);
    await expect(resolveQueueUrl({ queueName: 'q.fifo' }, undefined, down)).rejects.toBe(refused);
  });
});

describe('the queue settings', () => {
  const base = { DOCSPACE_URL: 'http://127.0.0.1:8090', DOCSPACE_API_KEY_SECRET_ID: 'k', WEBHOOK_SECRET_ID: 'w', DELIVERY_MODE: 'queue' };

  it('do not stop the settings every request uses: queue mode parses without a queue or a table', () => {
    const settings = parseSettings({ ...base, QUEUE_URL: '[object Object]' });
    expect(settings.deliveryMode).toBe('queue');
    expect(settings.queueUrl).toBe('[object Object]');
    expect(settings.eventsTable).toBeUndefined();
  });

  it('are checked where an event is enqueued: no events table is misconfigured, naming IDEMPOTENCY_TABLE', async () => {
    const queue = new MemoryQueue();
    const event = { id: 'e1', type: 'user.deactivated', occurredAt: '2026-12-08T00:00:00Z', data: { email: 'ann@example.com' } } as const;
    const refused = await ingress(queue, undefined, buildRoleMap())
      .enqueue([event])
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ConfigurationError);
    expect(String(refused)).toMatch(/IDEMPOTENCY_TABLE: queue mode needs the events table/);
    expect(queue.messages).toEqual([]);
  });
});
