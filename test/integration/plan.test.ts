/**
 * Plan mode against the local stack: a plan makes reads only (the DocSpace emulator records no write, dynalite no
 * new item), and lists the writes — placeholders aside — that the real run then makes, as the emulator logs them.
 */
import { readFileSync } from 'node:fs';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { beforeEach, describe, expect, it } from 'vitest';
import { canonicalDoor } from '../../lib/http/canonicalDoor';
import { ROUTE_BY_TYPE } from '../../lib/http/routes';
import { senderDoor } from '../../lib/http/senderDoor';
import { planEvents, type PlanAnswer } from '../../lib/plan/planner';
import { replayDeadLetters } from '../../lib/queue/replay';
import type { PlannedWrite } from '../../lib/plan/recorder';
import { MemoryQueue } from '../../lib/queue/memory';
import { workerDoor } from '../../lib/queue/worker';
import { scimDoor } from '../../lib/scim/door';
import { compose, type Services } from '../../lib/services';
import { parseSettings } from '../../lib/settings';
import { OWNER_ID } from '../../local/emulators/docspace';
import { deliveryFor, SENDER_ROUTES } from '../../local/deliveries';
import {
  composedHandlers,
  httpEvent,
  invokeHttp,
  invokeScim,
  lambdaContext as realContext,
  scimEvent,
  signedHttpEvent,
  virtualClock,
  type LambdaHandler,
} from '../../local/lambda';
import { LOCAL } from '../../local/stack';
import { useLocalStack } from '../support/localStack';
import { receivedWrites, resolvedPlan, tableItems as storedItems } from '../support/plan';
import { capturedLogLines } from '../setup/logGuard';
import { emailHash } from '../../lib/log';

const local = useLocalStack({ DOCSPACE_REASSIGN_USER_ID: OWNER_ID });
const clock = virtualClock();
const context = () => realContext('test', 30_000, clock);
const real = composedHandlers(clock);

/** A DRY_RUN stage in queue mode, as deployed: composed from the same environment, with DRY_RUN=true. */
const queue = new MemoryQueue();
let dryServices: Services | undefined;
const dry = () => (dryServices ??= compose(parseSettings({ ...process.env, DRY_RUN: 'true', DELIVERY_MODE: 'queue' }), clock, queue));

let seq = 0;
const event = (type: string, data: Record<string, unknown>) => ({
  id: `plan_${Date.now()}_${++seq}`,
  type,
  occurredAt: new Date(Date.UTC(2026, 10, 1) + ++seq * 60_000).toISOString(),
  source: 'hr-portal',
  data,
});

const writes = () => receivedWrites(local.stack.docspace);

const resolved = (plan: PlannedWrite[]) => resolvedPlan(plan, local.stack.docspace);

const tableItems = () => storedItems(local.stack.dynamoDb.url);

const userCreated = real.canonical('user.created');
const userRoleChanged = real.canonical('user.role_changed');
const userContactUpdated = real.canonical('user.contact_updated');
const userStatusChanged = real.canonical('user.deactivated', 'user.reactivated');

beforeEach(async () => {
  local.stack.docspace.reset();
  await local.stack.dynamoDb.clearEventsTable(LOCAL.eventsTable);
  queue.messages.length = 0;
});

describe('a direct invocation with "dryRun": true', () => {
  it('plans a guest hire — the create with a placeholder, then the parked contact change and the change to Guest — and the real run makes those writes', async () => {
    // A contact change for someone DocSpace does not have yet: parked (for real) until the hire.
    expect(
      await userContactUpdated(
        event('user.contact_updated', { email: 'gia@example.com', contacts: [{ type: 'phone', value: '+1 555 0199' }] }),
        context(),
      ),
    ).toMatchObject({ outcome: 'parked' });
    const before = await tableItems();
    const hire = event('user.created', {
      email: 'Gia@example.com',
      firstName: 'Gia',
      lastName: 'Rossi',
      role: 'Guest',
      contacts: [{ type: 'mobphone', value: '+1 555 0100' }],
    });

    const answer = (await userCreated({ ...hire, dryRun: true }, context())) as PlanAnswer;
    expect(writes()).toEqual([]);
    expect(await tableItems()).toEqual(before);
    expect(answer.outcome).toBe('planned');
    expect(answer.outcomes).toEqual([
      {
        eventId: hire.id,
        type: 'user.created',
        outcome: 'created',
        userId: '{{member:1}}',
        message: 'created as User; the change to Guest follows',
        writes: [0, 1, 2],
      },
    ]);
    expect(answer.plan).toEqual([
      {
        method: 'POST',
        path: '/api/2.0/people',
        body: {
          email: 'Gia@example.com',
          firstName: 'Gia',
          lastName: 'Rossi',
          type: 4,
          contacts: [{ type: 'mobphone', value: '+1 555 0100' }],
        },
        creates: '{{member:1}}',
      },
      {
        method: 'PUT',
        path: '/api/2.0/people/{{member:1}}/contacts',
        body: {
          contacts: [
            { type: 'mobphone', value: '+1 555 0100' },
            { type: 'phone', value: '+1 555 0199' },
          ],
        },
      },
      { method: 'POST', path: '/api/2.0/people/type', body: { type: 2, userId: '{{member:1}}', reassignUserId: OWNER_ID } },
    ]);

    // The same event for real afterwards: applied, not answered from an idempotency record the plan left.
    expect(await userCreated(hire, context())).toMatchObject({ outcome: 'created' });
    expect(writes()).toEqual(resolved(answer.plan));
    // The plan's log line names the writes and the fields they carry, never their values (the answer above has them).
    const logged = capturedLogLines().find((line) => line.includes('"event planned"') && line.includes(hire.id)) ?? '';
    expect(JSON.parse(logged)).toMatchObject({
      emailHash: emailHash('gia@example.com'),
      writes: [
        {
          method: 'POST',
          path: '/api/2.0/people',
          fields: ['email', 'firstName', 'lastName', 'type', 'contacts'],
          creates: '{{member:1}}',
        },
        { method: 'PUT' },
        { method: 'POST', path: '/api/2.0/people/type' },
      ],
    });
    expect(logged).not.toContain('+1 555 0100');
    expect(logged).not.toContain('"Gia"');
    expect(local.stack.docspace.memberByEmail('gia@example.com')).toMatchObject({
      type: 2,
      contacts: [
        { type: 'mobphone', value: '+1 555 0100' },
        { type: 'phone', value: '+1 555 0199' },
      ],
    });
  });

  it('plans an asynchronous downgrade without polling, and the real run makes the same write', async () => {
    const sam = local.stack.docspace.addMember({ email: 'sam@example.com', type: 1 });
    const demotion = event('user.role_changed', { email: 'sam@example.com', role: 'User' });
    const answer = (await userRoleChanged({ ...demotion, dryRun: true }, context())) as PlanAnswer;
    expect(answer.outcomes).toEqual([
      expect.objectContaining({ outcome: 'updated', userId: sam.id, message: 'RoomAdmin → User', writes: [0] }),
    ]);
    expect(answer.plan).toEqual([
      { method: 'POST', path: '/api/2.0/people/type', body: { type: 4, userId: sam.id, reassignUserId: OWNER_ID } },
    ]);
    // Reads only: the member's lookup, no write and no progress poll.
    expect(local.stack.docspace.calls().map((c) => `${c.method} ${c.path}`)).toEqual(['GET /api/2.0/people/email']);
    expect(sam.type).toBe(1);
    expect(await tableItems()).toEqual([]);

    expect(await userRoleChanged(demotion, context())).toMatchObject({ outcome: 'updated' });
    expect(writes()).toEqual(resolved(answer.plan));
    expect(sam.type).toBe(4);
  });

  it('plans a deactivation; a plan of a member who does not exist shows the event kept, with no write and nothing stored', async () => {
    const ann = local.stack.docspace.addMember({ email: 'ann@example.com' });
    const offboarding = event('user.deactivated', { userId: ann.id });
    const answer = (await userStatusChanged({ ...offboarding, dryRun: true }, context())) as PlanAnswer;
    expect(answer.plan).toEqual([{ method: 'PUT', path: '/api/2.0/people/status/2', body: { userIds: [ann.id] } }]);
    expect(writes()).toEqual([]);

    const ghost = (await userStatusChanged(
      { ...event('user.deactivated', { email: 'ghost@example.com' }), dryRun: true },
      context(),
    )) as PlanAnswer;
    expect(ghost).toMatchObject({ plan: [], outcomes: [{ outcome: 'parked', writes: [] }] });
    expect(await tableItems()).toEqual([]);

    expect(await userStatusChanged(offboarding, context())).toMatchObject({ outcome: 'updated' });
    expect(writes()).toEqual(resolved(answer.plan));
    expect(ann.status).toBe(2);
  });

  it('answers an event applied already from the idempotency record, with an empty plan, as the real redelivery would', async () => {
    const hire = event('user.created', { email: 'bo@example.com', firstName: 'Bo', lastName: 'Ek' });
    const first = await userCreated(hire, context());
    const answer = (await userCreated({ ...hire, dryRun: true }, context())) as PlanAnswer;
    expect(answer).toEqual({
      outcome: 'planned',
      plan: [],
      outcomes: [{ eventId: hire.id, type: 'user.created', ...(first as object), writes: [] }],
    });
  });

  it('plans a signed HTTP delivery that asks for it, in a stage that applies (and queues) the others', async () => {
    const queued = new MemoryQueue();
    let services: Services | undefined;
    const queueStage = canonicalDoor(
      ['user.role_changed'],
      () => (services ??= compose(parseSettings({ ...process.env, DELIVERY_MODE: 'queue' }), clock, queued)),
    );
    const ann = local.stack.docspace.addMember({ email: 'ann@example.com', type: 4 });
    const promotion = event('user.role_changed', { userId: ann.id, role: 'RoomAdmin' });
    const answer = await invokeHttp(
      queueStage,
      signedHttpEvent(ROUTE_BY_TYPE['user.role_changed'], { ...promotion, dryRun: true }),
      context(),
    );
    expect(answer).toMatchObject({
      statusCode: 200,
      body: { outcome: 'planned', plan: [{ method: 'PUT', path: '/api/2.0/people/type/1', body: { userIds: [ann.id] } }] },
    });
    expect(queued.messages).toEqual([]);
    expect(writes()).toEqual([]);
    expect(await invokeHttp(queueStage, signedHttpEvent(ROUTE_BY_TYPE['user.role_changed'], promotion), context())).toMatchObject({
      statusCode: 202,
      body: { outcome: 'queued' },
    });
    expect(queued.messages).toHaveLength(1);
  });

  it('answers 503 with Retry-After when DocSpace is unavailable (the plan would be incomplete), and a direct invocation throws', async () => {
    local.stack.docspace.setFaults({ rate: 1, mix: { '503': 1 }, retryAfterSeconds: 1 });
    try {
      const hire = event('user.created', { email: 'una@example.com', firstName: 'Una', lastName: 'Vale' });
      const answer = await invokeHttp(
        canonicalDoor(['user.created'], dry),
        signedHttpEvent(ROUTE_BY_TYPE['user.created'], hire),
        context(),
      );
      expect(answer).toMatchObject({ statusCode: 503, body: { outcome: 'unavailable' } });
      expect(answer.headers['retry-after']).toBeDefined();
      await expect(userCreated({ ...hire, dryRun: true }, context())).rejects.toThrow(/unavailable/);
    } finally {
      local.stack.docspace.setFaults(undefined);
    }
    expect(writes()).toEqual([]);
  });

  it('refuses a dryRun that is not a boolean (400), before any DocSpace call', async () => {
    const answer = await userCreated(
      { ...event('user.created', { email: 'x@example.com', firstName: 'X', lastName: 'Y' }), dryRun: 'yes' },
      context(),
    );
    expect(answer).toMatchObject({ outcome: 'invalid', message: 'dryRun must be true or false' });
    expect(local.stack.docspace.calls()).toEqual([]);
  });
});

describe('replay --dry-run', () => {
  it('reads the dead letters without taking them and plans their events in order: a later event sees the member an earlier one would create', async () => {
    const sqs = local.stack.sqs.client();
    await local.stack.sqs.purge();
    const hire = event('user.created', { email: 'rae@example.com', firstName: 'Rae', lastName: 'Sun' });
    const phone = event('user.contact_updated', { email: 'rae@example.com', contacts: [{ type: 'phone', value: '+1 555 0123' }] });
    for (const [i, e] of [hire, phone].entries()) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: local.stack.sqs.dlqUrl,
          MessageBody: JSON.stringify(e),
          MessageGroupId: 'rae',
          MessageDeduplicationId: `d${i}`,
        }),
      );
    }
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: local.stack.sqs.dlqUrl,
        MessageBody: 'not json',
        MessageGroupId: 'poison',
        MessageDeduplicationId: 'p',
      }),
    );

    const report = await replayDeadLetters({
      client: sqs,
      dlqUrl: local.stack.sqs.dlqUrl,
      queueUrl: local.stack.sqs.queueUrl,
      dryRun: true,
    });
    const events = report.letters.flatMap((l) => (l.event ? [l.event] : []));
    expect(events.map((e) => e.id)).toEqual([hire.id, phone.id]);
    const answer = await planEvents(dry().planner(), events, context());
    expect(answer.plan).toEqual([
      expect.objectContaining({ method: 'POST', path: '/api/2.0/people', creates: '{{member:1}}' }),
      { method: 'PUT', path: '/api/2.0/people/{{member:1}}/contacts', body: { contacts: [{ type: 'phone', value: '+1 555 0123' }] } },
    ]);
    expect(answer.outcomes.map((o) => o.outcome)).toEqual(['created', 'updated']);
    expect(writes()).toEqual([]);
    expect(await local.stack.sqs.depth(local.stack.sqs.dlqUrl)).toBe(3);
    expect(await tableItems()).toEqual([]);

    await userCreated(hire, context());
    await userContactUpdated(phone, context());
    expect(writes()).toEqual(resolved(answer.plan));
    sqs.destroy();
  });
});

describe('a DRY_RUN stage', () => {
  const canonical = (...types: Parameters<typeof canonicalDoor>[0]): LambdaHandler => canonicalDoor(types, dry);

  it('answers a signed canonical delivery 200 with the plan, queues nothing, and the real run makes those writes', async () => {
    const hire = event('user.created', { email: 'kim@example.com', firstName: 'Kim', lastName: 'Park', role: 'RoomAdmin' });
    const answer = await invokeHttp(canonical('user.created'), signedHttpEvent(ROUTE_BY_TYPE['user.created'], hire), context());
    expect(answer.statusCode).toBe(200);
    const plan = answer.body as unknown as PlanAnswer;
    expect(plan.plan).toEqual([
      {
        method: 'POST',
        path: '/api/2.0/people',
        body: { email: 'kim@example.com', firstName: 'Kim', lastName: 'Park', type: 1 },
        creates: '{{member:1}}',
      },
    ]);
    expect(queue.messages).toEqual([]);
    expect(writes()).toEqual([]);
    expect(await tableItems()).toEqual([]);

    await userCreated(hire, context());
    expect(writes()).toEqual(resolved(plan.plan));
  });

  it('plans a sender webhook delivery (BambooHR) and answers 200 with it', async () => {
    const delivery = deliveryFor('bamboohr', readFileSync('events/bamboohr/employee-hired.fields.json', 'utf8'));
    const request = () => httpEvent(SENDER_ROUTES.bamboohr, delivery.body, delivery.headers);
    const answer = await invokeHttp(senderDoor('bamboohr', dry), request(), context());
    expect(answer.statusCode).toBe(200);
    const plan = answer.body as unknown as PlanAnswer & { ignored: string[] };
    expect(plan.outcome).toBe('planned');
    expect(plan.outcomes).toEqual([expect.objectContaining({ type: 'user.created', outcome: 'created', userId: '{{member:1}}' })]);
    expect(plan.plan).toEqual([expect.objectContaining({ method: 'POST', path: '/api/2.0/people', creates: '{{member:1}}' })]);
    expect(queue.messages).toEqual([]);
    expect(writes()).toEqual([]);
    expect(await tableItems()).toEqual([]);

    const applied = await invokeHttp(real.sender('bamboohr'), request(), context());
    expect(applied.statusCode).toBe(200);
    expect(writes()).toEqual(resolved(plan.plan));
  });

  it('refuses SCIM (501) after the token check, with nothing read or written', async () => {
    const scim = scimDoor(dry);
    const answer = await invokeScim(
      scim,
      scimEvent('POST', '/Users', JSON.parse(readFileSync('events/scim/entra-create-user.json', 'utf8'))),
      context(),
    );
    expect(answer.status).toBe(501);
    expect(answer.body.detail).toMatch(/DRY_RUN/);
    expect((await invokeScim(scim, scimEvent('GET', '/Users', undefined, { token: 'wrong' }), context())).status).toBe(401);
    expect(local.stack.docspace.calls()).toEqual([]);
  });

  it('has the worker apply nothing: a queued message fails and goes the way of a refusal (to the DLQ)', async () => {
    const hire = event('user.created', { email: 'lee@example.com', firstName: 'Lee', lastName: 'Ray' });
    const record = {
      messageId: 'm1',
      receiptHandle: 'r',
      body: JSON.stringify(hire),
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '0',
        SenderId: 'x',
        ApproximateFirstReceiveTimestamp: '0',
        MessageGroupId: 'g',
        MessageDeduplicationId: 'd',
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q.fifo',
      awsRegion: 'us-east-1',
    };
    const answer = await workerDoor(dry)({ Records: [record] }, context());
    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
    expect(local.stack.docspace.calls()).toEqual([]);
  });

  it('has the follow-ups apply nothing, not even work kept before', async () => {
    await userRoleChanged(event('user.role_changed', { email: 'zed@example.com', role: 'RoomAdmin' }), context());
    local.stack.docspace.addMember({ email: 'zed@example.com', type: 4 });
    expect(await dry().followUp(() => 30_000)).toEqual({ done: 0, remaining: 0, waiting: 0 });
    expect(writes()).toEqual([]);
  });
});
