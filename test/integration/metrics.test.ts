/**
 * The EMF lines a local run writes: the handlers in-process against the emulators (DocSpace, Secrets Manager,
 * dynalite), stdout captured, each `_aws` line parsed as CloudWatch would. Per invocation: an `Events` line for each
 * door, sender, event type and outcome met (its value the number of events), a `Requests` line for a webhook request,
 * `ScimRequests` for a SCIM request, and one line with the DocSpace figures; every dimension from a short, known list
 * (never an e-mail or an id).
 */
import { readFileSync } from 'node:fs';
import type { SQSEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { emailHash } from '../../lib/log';
import { SENDER_NAMES } from '../../lib/senders/registry';
import { senderLabel } from '../../lib/metrics/record';
import { deliveryFor, SENDER_ROUTES } from '../../local/deliveries';
import {
  composedHandlers,
  httpEvent,
  invokeHttp,
  invokeScim,
  lambdaContext as realContext,
  scimEvent,
  setEnv,
  signedHttpEvent,
  virtualClock,
} from '../../local/lambda';
import { LOCAL } from '../../local/stack';
import { capturedLogLines } from '../setup/logGuard';
import { freshScimState, useLocalStack } from '../support/localStack';

const local = useLocalStack();
const clock = virtualClock();
const context = (name = 'test') => realContext(name, 30_000, clock);
const functions = composedHandlers(clock);
const userCreated = functions.canonical('user.created');
const userRoleChanged = functions.canonical('user.role_changed');
const followUp = functions.followUp();
const worker = functions.worker();

interface Emf {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[];
  };
  [key: string]: unknown;
}

/** The EMF lines written since `from` (an index into the captured lines). */
const emfSince = (from: number): Emf[] =>
  capturedLogLines()
    .slice(from)
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l): l is Emf => typeof l._aws === 'object');

/** The lines of one metric, as `door sender eventType outcome` (or the dimensions it has), in order. */
const linesOf = (lines: Emf[], metric: string) => lines.filter((l) => l._aws.CloudWatchMetrics[0]?.Metrics.some((m) => m.Name === metric));
const events = (lines: Emf[]) =>
  linesOf(lines, 'Events').map((l) => `${String(l.door)} ${String(l.sender)} ${String(l.eventType)} ${String(l.outcome)}`);

let seq = 0;
const at = (offsetSeconds = 0) => new Date(Date.UTC(2026, 10, 22) + (++seq + offsetSeconds) * 1000).toISOString();
let ids = 0;
const event = (type: string, data: Record<string, unknown>, occurredAt = at()) => ({
  id: `m_${++ids}`,
  type,
  occurredAt,
  source: 'hr-portal',
  data,
});

/** What was written to stderr: Powertools Metrics warns there (an empty flush, a dimension it drops, a key collision). */
let stderr: string[] = [];
beforeEach(async () => {
  local.stack.docspace.reset({ profile: 'v3.1' });
  await local.stack.dynamoDb.clearEventsTable(LOCAL.eventsTable);
  stderr = [];
  const write = process.stderr.write.bind(process.stderr);
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown, ...rest: unknown[]) => {
    stderr.push(String(chunk));
    return (write as (chunk: unknown, ...rest: unknown[]) => boolean)(chunk, ...rest);
  });
});

afterEach(() => {
  vi.restoreAllMocks();
  expect(stderr.filter((text) => /metric|dimension|EMF/i.test(text))).toEqual([]);
});

describe('EMF lines', () => {
  it('an Events line for each outcome at the canonical door, a Requests line per request, one line per invocation with the DocSpace figures', async () => {
    const { docspace } = local.stack;
    const from = capturedLogLines().length;
    const hire = event('user.created', { email: 'emf.one@example.com', firstName: 'Em', lastName: 'Ef', role: 'User' });
    expect((await invokeHttp(userCreated, signedHttpEvent('/webhooks/user-created', hire))).body.outcome).toBe('created');
    expect(
      (await invokeHttp(userCreated, signedHttpEvent('/webhooks/user-created', { ...hire, id: `${hire.id}-again`, occurredAt: at() }))).body
        .outcome,
    ).toBe('exists');
    const promote = event('user.role_changed', { email: 'emf.one@example.com', role: 'RoomAdmin' });
    expect((await invokeHttp(userRoleChanged, signedHttpEvent('/webhooks/user-role-changed', promote))).body.outcome).toBe('updated');
    const same = event('user.role_changed', { email: 'emf.one@example.com', role: 'RoomAdmin' });
    expect((await invokeHttp(userRoleChanged, signedHttpEvent('/webhooks/user-role-changed', same))).body.outcome).toBe('unchanged');
    const older = event('user.role_changed', { email: 'emf.one@example.com', role: 'User' }, new Date(Date.UTC(2026, 0, 1)).toISOString());
    expect((await invokeHttp(userRoleChanged, signedHttpEvent('/webhooks/user-role-changed', older))).body.outcome).toBe('stale');
    const unknown = event('user.role_changed', { email: 'emf.later@example.com', role: 'RoomAdmin' });
    expect((await invokeHttp(userRoleChanged, signedHttpEvent('/webhooks/user-role-changed', unknown))).body.outcome).toBe('parked');
    docspace.addMember({ email: 'emf.off@example.com', status: 2, type: 4 });
    const disabled = event('user.role_changed', { email: 'emf.off@example.com', role: 'RoomAdmin' });
    expect((await invokeHttp(userRoleChanged, signedHttpEvent('/webhooks/user-role-changed', disabled))).body.outcome).toBe('deferred');
    const wizard = event('user.role_changed', { email: 'emf.one@example.com', role: 'Wizard' });
    expect((await invokeHttp(userRoleChanged, signedHttpEvent('/webhooks/user-role-changed', wizard))).statusCode).toBe(422);
    const forged = signedHttpEvent(
      '/webhooks/user-role-changed',
      event('user.role_changed', { email: 'emf.one@example.com', role: 'User' }),
      { secret: `whsec_${Buffer.from('another secret of 32 bytes......').toString('base64')}` },
    );
    expect((await invokeHttp(userRoleChanged, forged)).statusCode).toBe(401);
    // The parked change is applied as soon as the member is hired: counted at the follow-up door.
    const later = event('user.created', { email: 'emf.later@example.com', firstName: 'La', lastName: 'Ter' });
    expect((await invokeHttp(userCreated, signedHttpEvent('/webhooks/user-created', later))).body.outcome).toBe('created');

    const lines = emfSince(from);
    // Every line: the namespace, the service dimension in every set, at most 30 dimensions a set, values as keys.
    for (const line of lines) {
      const [directive] = line._aws.CloudWatchMetrics;
      expect(line._aws.CloudWatchMetrics).toHaveLength(1);
      expect(directive?.Namespace).toBe('DocSpaceIdpSync');
      expect(line.service).toBe('docspace-idp-sync');
      expect(line.stage).toBe('local'); // STAGE, which serverless.yml sets to the deployed stage
      for (const set of directive?.Dimensions ?? []) {
        expect(set.slice(0, 2)).toEqual(['service', 'stage']);
        expect(set.length).toBeLessThanOrEqual(30);
        for (const name of set) expect(typeof line[name]).toBe('string');
      }
      for (const metric of directive?.Metrics ?? []) expect(line[metric.Name]).toBeDefined();
    }
    expect(events(lines)).toEqual([
      'canonical canonical user.created created',
      'canonical canonical user.created exists',
      'canonical canonical user.role_changed updated',
      'canonical canonical user.role_changed unchanged',
      'canonical canonical user.role_changed stale',
      'canonical canonical user.role_changed parked',
      'canonical canonical user.role_changed deferred',
      'canonical canonical user.role_changed unknown_role',
      'followUp canonical user.role_changed updated',
      'canonical canonical user.created created',
    ]);
    const [created] = linesOf(lines, 'Events');
    expect(created?._aws.CloudWatchMetrics[0]).toEqual({
      Namespace: 'DocSpaceIdpSync',
      Dimensions: [['service', 'stage', 'door', 'sender', 'eventType', 'outcome']],
      Metrics: [{ Name: 'Events', Unit: 'Count' }],
    });
    expect(created).toMatchObject({ Events: 1, door: 'canonical', sender: 'canonical', eventType: 'user.created', outcome: 'created' });
    // The refused signature has no event: a request only.
    expect(linesOf(lines, 'Requests').map((l) => `${String(l.door)} ${String(l.sender)} ${String(l.outcome)}`)).toEqual([
      ...['created', 'exists', 'updated', 'unchanged', 'stale', 'parked', 'deferred', 'unknown_role', 'unauthorized', 'created'].map(
        (o) => `canonical canonical ${o}`,
      ),
    ]);

    // One line per invocation: the DocSpace requests it made (every one timed), and what it kept.
    const invocations = linesOf(lines, 'DocSpaceRequests');
    expect(invocations).toHaveLength(10);
    // The dimensions the DocSpaceErrors alarm names (serverless.yml; test/integration/serverlessCli.test.ts).
    for (const line of invocations) expect(line._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service', 'stage']]);
    const requests = invocations.map((l) => l.DocSpaceRequests as number);
    expect(requests.reduce((a, b) => a + b, 0)).toBe(docspace.calls().length);
    expect(requests[7]).toBe(0); // the unknown role: refused before DocSpace
    expect(requests[8]).toBe(0); // the forged signature
    const latencies = invocations.flatMap((l) => [l.DocSpaceLatency ?? []].flat() as number[]);
    expect(latencies).toHaveLength(docspace.calls().length);
    for (const ms of latencies) expect(ms).toBeGreaterThanOrEqual(0);
    expect(invocations[0]?._aws.CloudWatchMetrics[0]?.Metrics).toEqual(
      expect.arrayContaining([
        { Name: 'DocSpaceLatency', Unit: 'Milliseconds' },
        { Name: 'DocSpaceRequests', Unit: 'Count' },
      ]),
    );
    expect(invocations[5]).toMatchObject({ EventsParked: 1 });
    expect(invocations[6]).toMatchObject({ EventsDeferred: 1 });
    expect(invocations.filter((l) => 'EventsParked' in l || 'EventsDeferred' in l)).toHaveLength(2);
    expect(invocations.some((l) => 'DocSpaceErrors' in l || 'DocSpaceRetries' in l)).toBe(false);
  });

  it('counts a plan as planned, and nothing it would keep as parked', async () => {
    const from = capturedLogLines().length;
    const unknown = { ...event('user.role_changed', { email: 'emf.plan@example.com', role: 'RoomAdmin' }), dryRun: true };
    expect(await userRoleChanged(unknown, context())).toMatchObject({ outcome: 'planned', outcomes: [{ outcome: 'parked' }] });
    const lines = emfSince(from);
    expect(events(lines)).toEqual(['canonical canonical user.role_changed planned']);
    expect(lines.filter((l) => 'EventsParked' in l)).toHaveLength(0);
  });

  it('counts DocSpace errors and retries, and what the follow-ups leave waiting', async () => {
    const { docspace } = local.stack;
    docspace.addMember({ email: 'emf.busy@example.com', type: 4 });
    const from = capturedLogLines().length;
    const before = docspace.calls().length;
    // The look-up meets a 503 and a 429, then succeeds: two errors, two retries, one change.
    docspace.failNext(1, 503);
    docspace.failNext(1, 429, { 'retry-after': '1' });
    const promote = event('user.role_changed', { email: 'emf.busy@example.com', role: 'RoomAdmin' });
    expect((await invokeHttp(userRoleChanged, signedHttpEvent('/webhooks/user-role-changed', promote))).body.outcome).toBe('updated');
    const made = docspace.calls().length - before;
    const parked = event('user.role_changed', { email: 'emf.never@example.com', role: 'RoomAdmin' });
    expect((await invokeHttp(userRoleChanged, signedHttpEvent('/webhooks/user-role-changed', parked))).body.outcome).toBe('parked');
    await followUp({}, context('followUp'));

    const invocations = linesOf(emfSince(from), 'DocSpaceRequests');
    expect(invocations).toHaveLength(3);
    expect(invocations[0]).toMatchObject({ DocSpaceErrors: [1, 1], DocSpaceRetries: [1, 1] });
    expect(invocations[0]?.DocSpaceRequests).toBe(made);
    expect(made).toBe(4); // 503, 429, the look-up, the change
    expect(invocations[2]).toMatchObject({ PendingRemaining: 0, PendingWaiting: 1, service: 'docspace-idp-sync' });
    expect(invocations[0]?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service', 'stage']]);
  });

  it("counts each event of a sender's delivery, the handshake, the queue worker's messages and the SCIM requests", async () => {
    const { stack } = local;
    stack.senderApis.reset();
    await freshScimState(stack);
    const from = capturedLogLines().length;
    const sender = composedHandlers(clock);
    const hibob = sender.sender('hibob');
    const ping = deliveryFor('hibob', readFileSync('events/hibob/ping.txt', 'utf8'));
    expect((await invokeHttp(hibob, httpEvent(SENDER_ROUTES.hibob, ping.body, ping.headers), context())).statusCode).toBe(200);
    const hire = deliveryFor('hibob', readFileSync('events/hibob/employee.created.json', 'utf8'));
    expect((await invokeHttp(hibob, httpEvent(SENDER_ROUTES.hibob, hire.body, hire.headers), context())).body.outcome).toBe('processed');

    // The worker: a batch of two hires and a message that is no canonical event; the two hires are one line.
    const queued = event('user.created', { email: 'emf.queued@example.com', firstName: 'Qu', lastName: 'Eued' });
    const queuedToo = event('user.created', { email: 'emf.queued2@example.com', firstName: 'Qu', lastName: 'Eued' });
    const record = (id: string, body: string) => ({
      messageId: id,
      receiptHandle: id,
      body,
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:local',
      awsRegion: 'us-east-1',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '0',
        SenderId: 'local',
        ApproximateFirstReceiveTimestamp: '0',
        MessageGroupId: id,
      },
    });
    const batch = {
      Records: [record('m1', JSON.stringify(queued)), record('m2', '{"not": "an event"}'), record('m3', JSON.stringify(queuedToo))],
    } as SQSEvent;
    expect(await worker(batch, context('worker'))).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }] });

    const scim = sender.scim();
    expect((await invokeScim(scim, scimEvent('GET', '/Users?filter=userName%20eq%20%22nobody%40example.com%22'), context())).status).toBe(
      200,
    );
    expect(
      (
        await invokeScim(
          scim,
          scimEvent('POST', '/Users', {
            schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
            userName: 'emf.scim@example.com',
            name: { givenName: 'Sc', familyName: 'Im' },
            emails: [{ value: 'emf.scim@example.com', primary: true }],
          }),
          context(),
        )
      ).status,
    ).toBe(201);
    expect((await invokeScim(scim, scimEvent('GET', '/Users', undefined, { token: 'wrong' }), context())).status).toBe(401);
    expect((await invokeScim(scim, scimEvent('GET', '/whatever-the-caller-typed/x/y'), context())).status).toBe(404);

    const lines = emfSince(from);
    expect(
      linesOf(lines, 'Events')
        .filter((l) => l.door === 'worker')
        .map((l) => l.Events),
    ).toEqual([2, 1]);
    expect(events(lines)).toEqual([
      'sender hibob user.created created',
      'worker canonical user.created created',
      'worker unknown unknown invalid',
      'scim scim user.created created',
    ]);
    expect(linesOf(lines, 'Requests').map((l) => `${String(l.door)} ${String(l.sender)} ${String(l.outcome)}`)).toEqual([
      'sender hibob handshake',
      'sender hibob processed',
    ]);
    const scimLines = linesOf(lines, 'ScimRequests');
    expect(scimLines.map((l) => `${String(l.operation)} ${String(l.outcome)}`)).toEqual([
      'GET /Users ok',
      'POST /Users ok',
      'other http_401',
      'other http_404',
    ]);
    expect(scimLines[0]?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service', 'stage', 'operation', 'outcome']]);
    expect(linesOf(lines, 'Requests')[0]?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([
      ['service', 'stage', 'door', 'sender', 'outcome'],
    ]);
    // One flush per invocation, at every door: 2 deliveries, 1 batch, 4 SCIM requests.
    expect(linesOf(lines, 'DocSpaceRequests')).toHaveLength(7);
    // Nothing personal in any dimension or metric value.
    for (const line of lines) expect(JSON.stringify(line)).not.toMatch(/@|emf\.|m_\d/);
  });

  it('names the senders it knows, and nothing else, as a dimension', () => {
    for (const name of [...SENDER_NAMES, 'scim']) expect(senderLabel(name)).toBe(name);
    expect(senderLabel('hr-portal')).toBe('canonical');
    expect(senderLabel(undefined)).toBe('canonical');
  });
});

describe('queue mode', () => {
  it('counts the queued event at the door, and makes no DocSpace request there', async () => {
    const restore = setEnv({ DELIVERY_MODE: 'queue' });
    try {
      const queued = composedHandlers(clock).canonical('user.created');
      const from = capturedLogLines().length;
      const hire = event('user.created', { email: 'emf.q@example.com', firstName: 'Q', lastName: 'Q' });
      expect((await invokeHttp(queued, signedHttpEvent('/webhooks/user-created', hire), context())).statusCode).toBe(202);
      const lines = emfSince(from);
      expect(events(lines)).toEqual(['canonical canonical user.created queued']);
      expect(linesOf(lines, 'DocSpaceRequests').map((l) => l.DocSpaceRequests)).toEqual([0]);
      expect(local.stack.docspace.calls()).toHaveLength(0);
      // The one query finds the door's summary line by the event id or the e-mail's hash (docs/operating.md).
      const summary = capturedLogLines()
        .slice(from)
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((l) => l.message === 'event processed' && l.outcome === 'queued');
      expect(summary).toEqual([
        expect.objectContaining({ eventId: hire.id, eventType: 'user.created', emailHash: emailHash('emf.q@example.com'), status: 202 }),
      ]);
    } finally {
      restore();
    }
  });
});
