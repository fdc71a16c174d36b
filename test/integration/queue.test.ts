/**
 * Queue mode end to end on this machine: the doors in-process, the local SQS (FIFO, deduplication, DLQ redrive, move
 * tasks), the poller as the worker's event source mapping, DocSpace and DynamoDB emulators. The door answers before
 * DocSpace is touched; the worker applies; what keeps failing lands in the DLQ and comes back with `replay`.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ReceiveMessageCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ROUTE_BY_TYPE } from '../../lib/http/routes';
import { replayDeadLetters } from '../../lib/queue/replay';
import { deliveryFor, SENDER_ROUTES } from '../../local/deliveries';
import { composedHandlers, httpEvent, invokeHttp, setEnv, signedHttpEvent } from '../../local/lambda';
import { Poller } from '../../local/poller';
import { startLocalStack, type LocalStack } from '../../local/stack';

let stack: LocalStack;
let restoreEnv: () => void;
let sqs: SQSClient;
// The real clock: the queue's visibility timeout is real time.
const functions = composedHandlers({ now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 50))) });
const userCreated = functions.canonical('user.created');
const userRoleChanged = functions.canonical('user.role_changed');
const worker = functions.worker();

let seq = 0;
const next = () => ({
  id: `q_${Date.now()}_${++seq}`,
  occurredAt: new Date(Date.UTC(2026, 10, 22) + seq * 1000).toISOString(),
  source: 'test',
});
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The messages now visible; they come back after the one-second visibility timeout. */
const receiveAll = async (queueUrl: string) => {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      AttributeNames: ['All'] as never,
      MessageSystemAttributeNames: ['All'],
    }),
  );
  await new Promise((r) => setTimeout(r, 1_100));
  return Messages;
};

/** Runs the poller until the queue is empty (or the time is up). */
async function drain(functionTimeoutMs = 60_000, timeoutMs = 15_000): Promise<void> {
  const poller = new Poller({ client: sqs, queueUrl: stack.sqs.queueUrl, handler: worker, idleMs: 100, timeoutMs: functionTimeoutMs });
  poller.start();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && (await stack.sqs.depth(stack.sqs.queueUrl)) > 0) await new Promise((r) => setTimeout(r, 100));
  await poller.stop();
}

beforeAll(async () => {
  // Two receives before the DLQ and a one-second visibility timeout: a poison message lands there in seconds.
  stack = await startLocalStack({ sqs: { maxReceives: 2, visibilityTimeoutSeconds: 1 } });
  restoreEnv = setEnv({ ...stack.env, DELIVERY_MODE: 'queue' });
  sqs = stack.sqs.client();
});

afterAll(async () => {
  restoreEnv?.();
  sqs?.destroy();
  await stack?.stop();
});

beforeEach(async () => {
  stack.docspace.reset();
  await stack.sqs.purge();
});

afterEach(() => stack.docspace.setFaults(undefined));

describe('the doors in queue mode', () => {
  it('queue the event and answer 202 at once; the worker applies it', async () => {
    const event = { ...next(), type: 'user.created', data: { email: 'Ada.Queue@example.com', firstName: 'Ada', lastName: 'Queue' } };
    const answer = await invokeHttp(userCreated, signedHttpEvent(ROUTE_BY_TYPE['user.created'], event));
    expect(answer.statusCode).toBe(202);
    expect(answer.body).toMatchObject({ outcome: 'queued' });
    expect(stack.docspace.calls()).toEqual([]);

    const [message, ...rest] = await receiveAll(stack.sqs.queueUrl);
    expect(rest).toEqual([]);
    // One group per member (the member key, hashed: no address in it); deduplication by (source, type, id).
    expect(message?.Attributes?.MessageGroupId).toBe(sha256('member:email:ada.queue@example.com'));
    expect(message?.Attributes?.MessageGroupId).not.toContain('@');
    expect(message?.Attributes?.MessageDeduplicationId).toBe(sha256(JSON.stringify(['test', 'user.created', event.id])));
    expect(JSON.parse(message?.Body ?? '')).toEqual(event);

    // The same event delivered again within SQS's window is dropped by the queue.
    await invokeHttp(userCreated, signedHttpEvent(ROUTE_BY_TYPE['user.created'], event));
    expect(await stack.sqs.depth(stack.sqs.queueUrl)).toBe(1);

    await drain();
    expect(stack.docspace.memberByEmail('ada.queue@example.com')).toMatchObject({ firstName: 'Ada' });
  });

  it('refuse bad input at the door and queue nothing', async () => {
    const event = { ...next(), type: 'user.created', data: { email: 'not-an-address' } };
    expect((await invokeHttp(userCreated, signedHttpEvent(ROUTE_BY_TYPE['user.created'], event))).statusCode).toBe(400);
    expect((await invokeHttp(userCreated, httpEvent(ROUTE_BY_TYPE['user.created'], JSON.stringify(event)))).statusCode).toBe(401);
    expect(await stack.sqs.depth(stack.sqs.queueUrl)).toBe(0);
  });

  it('answer a sender 200 with the queued event ids', async () => {
    const delivery = deliveryFor('okta', readFileSync('events/okta/user.lifecycle.create.json', 'utf8'));
    const handler = functions.sender('okta');
    const answer = await invokeHttp(handler, httpEvent(SENDER_ROUTES.okta, delivery.body, delivery.headers));
    expect(answer.statusCode).toBe(200);
    const body = answer.body as unknown as { outcome: string; results: { eventId: string; outcome: string }[] };
    expect(body.outcome).toBe('accepted');
    expect(body.results.length).toBeGreaterThan(0);
    expect(body.results.every((r) => r.outcome === 'queued' && r.eventId)).toBe(true);
    expect(await stack.sqs.depth(stack.sqs.queueUrl)).toBe(body.results.length);
    expect(stack.docspace.calls({ writes: true })).toEqual([]);
  });
});

describe('the worker', () => {
  it('applies a batch in order per member, and reports only the failed member’s messages', async () => {
    const hire = (email: string) => ({ ...next(), type: 'user.created', data: { email, firstName: 'A', lastName: 'B' } });
    for (const event of [hire('one@example.com'), hire('two@example.com')])
      await invokeHttp(userCreated, signedHttpEvent(ROUTE_BY_TYPE['user.created'], event));
    // A poison message in a third member's group: not a canonical event.
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: stack.sqs.queueUrl,
        MessageBody: '{"type":"user.created"}',
        MessageGroupId: 'poison',
        MessageDeduplicationId: `p${seq}`,
      }),
    );
    const reports: { messages: number; failed: number }[] = [];
    const poller = new Poller({ client: sqs, queueUrl: stack.sqs.queueUrl, handler: worker, onBatch: (r) => reports.push(r) });
    await poller.pollOnce();
    expect(reports).toEqual([{ messages: 3, failed: 1 }]);
    expect(stack.docspace.memberByEmail('one@example.com')).toBeDefined();
    expect(stack.docspace.memberByEmail('two@example.com')).toBeDefined();
    // The poison message comes back, fails again, and moves to the DLQ after its second receive.
    await drain();
    expect(await stack.sqs.depth(stack.sqs.queueUrl)).toBe(0);
    expect(await stack.sqs.depth(stack.sqs.dlqUrl)).toBe(1);
  });

  it('parks an event for a member who does not exist yet, without blocking their group', async () => {
    // The sender's order: hire, then promote; the promotion arrives first.
    const hire = { ...next(), type: 'user.created', data: { email: 'later@example.com', firstName: 'L', lastName: 'Ater' } };
    const promote = { ...next(), type: 'user.role_changed', data: { email: 'later@example.com', role: 'Manager' } };
    await invokeHttp(userRoleChanged, signedHttpEvent(ROUTE_BY_TYPE['user.role_changed'], promote));
    await drain();
    expect(await stack.sqs.depth(stack.sqs.queueUrl)).toBe(0);
    expect(await stack.sqs.depth(stack.sqs.dlqUrl)).toBe(0);
    await invokeHttp(userCreated, signedHttpEvent(ROUTE_BY_TYPE['user.created'], hire));
    await drain();
    // The hire unblocks the parked promotion: applied in the same invocation.
    expect(stack.docspace.memberByEmail('later@example.com')).toMatchObject({ type: 1 });
  });

  it(
    'sends what keeps failing to the DLQ while DocSpace is down, and replay brings it back once it is up',
    { timeout: 40_000 },
    async () => {
      const event = { ...next(), type: 'user.created', data: { email: 'outage@example.com', firstName: 'O', lastName: 'Utage' } };
      // DocSpace down, as `npm start` users do it from another terminal.
      const outage = (down: boolean) => fetch(`${stack.docspace.url}/__emulator/outage`, { method: 'PUT', body: JSON.stringify({ down }) });
      expect((await outage(true)).status).toBe(200);
      expect((await invokeHttp(userCreated, signedHttpEvent(ROUTE_BY_TYPE['user.created'], event))).statusCode).toBe(202);
      // A short function timeout: a call DocSpace keeps failing is retried for a few seconds, not a minute.
      await drain(5_000);
      expect(await stack.sqs.depth(stack.sqs.dlqUrl)).toBe(1);
      expect(stack.docspace.memberByEmail('outage@example.com')).toBeUndefined();

      const listed = await replayDeadLetters({ client: sqs, dlqUrl: stack.sqs.dlqUrl, queueUrl: stack.sqs.queueUrl, dryRun: true });
      expect(listed.letters).toEqual([expect.objectContaining({ eventId: event.id, type: 'user.created' })]);
      expect(await stack.sqs.depth(stack.sqs.dlqUrl)).toBe(1);

      await outage(false);
      const replay = await replayDeadLetters({ client: sqs, dlqUrl: stack.sqs.dlqUrl, queueUrl: stack.sqs.queueUrl });
      expect(replay.moved).toBe(1);
      await drain();
      expect(await stack.sqs.depth(stack.sqs.dlqUrl)).toBe(0);
      expect(stack.docspace.memberByEmail('outage@example.com')).toMatchObject({ firstName: 'O' });
    },
  );
});
