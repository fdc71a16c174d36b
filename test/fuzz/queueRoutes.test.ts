/**
 * Queue mode under fuzzing: the canonical doors with DELIVERY_MODE=queue and the in-memory queue. Arbitrary bodies
 * and signatures: never a 5xx for bad input, nothing queued unless the request is authentic and a valid event (then
 * exactly one message, answered 202 `queued`), an unknown role refused at the door (422), and never a DocSpace call
 * at the door.
 * FUZZ_RUNS sets the cases: 300 by default, for the edit loop; at most 2,000 (the long suite's sync fuzz covers the
 * shared middlewares ten thousand times a route).
 */
// The functions' JSON lines are checked for secrets and personal data here too (npm test applies it to every file).
import '../setup/logGuard';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTE_BY_TYPE } from '../../lib/http/routes';
import { signStandardWebhook } from '../../lib/http/standardWebhooks';
import { MemoryQueue } from '../../lib/queue/memory';
import { composedHandlers, httpEvent, invokeHttp, setEnv, virtualClock } from '../../local/lambda';
import { LOCAL, startLocalStack, type LocalStack } from '../../local/stack';

const RUNS = Math.min(Number(process.env.FUZZ_RUNS ?? 300), 2_000);
let stack: LocalStack;
let restoreEnv: () => void;
const queue = new MemoryQueue();
const userCreated = composedHandlers(virtualClock(), queue).canonical('user.created');

beforeAll(async () => {
  stack = await startLocalStack();
  restoreEnv = setEnv({ ...stack.env, DELIVERY_MODE: 'queue', POWERTOOLS_LOG_LEVEL: 'SILENT' });
});

afterAll(async () => {
  restoreEnv?.();
  await stack?.stop();
});

/** A valid user.created, or one mangled one way: what a sender's bug or an attacker's guess looks like. */
const eventLike = fc
  .record({
    id: fc.stringMatching(/^[A-Za-z0-9_:-]{1,20}$/),
    source: fc.constantFrom('okta', 'hr', ''),
    email: fc.stringMatching(/^[a-z][a-z0-9]{0,10}$/).map((local) => `${local}@example.com`),
    firstName: fc.stringMatching(/^[A-Z][a-z]{1,8}$/),
    mangle: fc.constantFrom('none', 'none', 'none', 'noEmail', 'badEmail', 'otherType', 'badDate', 'noId', 'dataNotObject', 'badRole'),
    junk: fc.jsonValue(),
  })
  .map(({ id, source, email, firstName, mangle, junk }) => {
    const event: Record<string, unknown> = {
      id,
      type: mangle === 'otherType' ? 'user.role_changed' : 'user.created',
      occurredAt: mangle === 'badDate' ? 'yesterday' : '2026-11-22T09:30:00Z',
      ...(source ? { source } : {}),
      data:
        mangle === 'dataNotObject'
          ? junk
          : {
              ...(mangle === 'noEmail' ? {} : { email: mangle === 'badEmail' ? firstName : email }),
              firstName,
              lastName: 'Doe',
              ...(mangle === 'badRole' ? { role: 'Wizard' } : {}),
            },
    };
    if (mangle === 'noId') delete event.id;
    return JSON.stringify(event);
  });
const body = fc.oneof({ weight: 6, arbitrary: eventLike }, { weight: 1, arbitrary: fc.json() }, { weight: 1, arbitrary: fc.string() });

describe('POST /webhooks/user-created in queue mode under fuzzing', () => {
  it(`queues only authentic, valid events, for ${RUNS} arbitrary requests`, { timeout: 300_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(body, fc.constantFrom('valid', 'none', 'otherBody'), async (raw, mode) => {
        const id = `msg_${crypto.randomUUID()}`;
        const headers = mode === 'none' ? {} : signStandardWebhook(mode === 'valid' ? raw : `${raw} `, LOCAL.signingSecret, id);
        const queued = queue.messages.length;
        const calls = stack.docspace.requests.length;
        const answer = await invokeHttp(userCreated, httpEvent(ROUTE_BY_TYPE['user.created'], raw, headers));
        const added = queue.messages.length - queued;

        expect(answer.statusCode).toBeLessThan(500);
        expect(stack.docspace.requests.length).toBe(calls);
        if (mode !== 'valid') expect(answer.statusCode).toBe(401);
        // An unknown role is refused at the door (422), unless something else in the event was wrong first (400).
        if (mode === 'valid' && raw.includes('"role":"Wizard"')) expect([400, 422]).toContain(answer.statusCode);
        if (answer.statusCode !== 202) expect(added).toBe(0);
        else {
          expect(answer.body.outcome).toBe('queued');
          // One message, unless the same (source, type, id) was queued already (the queue deduplicates).
          expect(added).toBeLessThanOrEqual(1);
          for (const m of queue.messages.slice(queued)) expect(m.groupId).not.toContain('@');
        }
      }),
      { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? 20261126) },
    );
    // The generator does reach the queue.
    expect(queue.messages.length).toBeGreaterThan(0);
  });
});
