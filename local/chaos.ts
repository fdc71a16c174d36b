/**
 * The chaos run: the exact final state under any delivery order, against a DocSpace emulator as strict as the
 * server and as unreliable as a network.
 *
 * - Histories per member: a hire (sometimes as a Guest, sometimes with contacts), role changes up and down, partial
 *   contact updates (each naming some contact types; an empty value removes the type), deactivation and
 *   reactivation, role changes while disabled. Events name the member by e-mail; `occurredAt` grows along each
 *   member's history.
 * - Deliveries: every event is delivered `deliveries` times as separate messages, all shuffled together (so updates
 *   arrive before the hire), signed with Standard Webhooks, to the canonical handlers, `concurrency` at a time.
 *   Each message is retried as a Standard Webhooks sender does (immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h,
 *   10 h, then given up): a 2xx or a 4xx other than 408/429 ends it, a 5xx, 408, 429 or a thrown error is retried.
 *   Time is virtual: a retry is queued behind the work a sender would have sent meanwhile, never slept for.
 * - Faults: 429, 500, 502, 503, slow answers, connections dropped before or after the request was applied.
 * - Then the service's follow-ups (handlers/followUp.ts, when it exists) run until nothing is left waiting, and
 *   DocSpace's own background type changes complete.
 * - Check: per member, exactly one DocSpace member with the address (else lost or duplicated), with the status, the
 *   type, the contacts and the names the history leads to (else wrong); and every event acknowledged with a 2xx on
 *   at least one delivery (else never acknowledged).
 *
 * - Queue mode (`mode: 'queue'`, `npm run chaos -- --mode queue`): the deliveries go to the same doors with
 *   DELIVERY_MODE=queue, which verify, enqueue to the local SQS FIFO queue and answer at once; a poller (the worker's
 *   event source mapping) drains the queue through handlers/worker.ts meanwhile, with partial batch failures and
 *   redrive to the DLQ after QUEUE_MAX_RECEIVES receives; the run waits until the queue is empty, then follow-ups
 *   and the same checks, plus: the DLQ must be empty.
 * - DocSpace down longer than the retry budget (`outage: true`, `--outage`, queue mode): DocSpace answers 503 to
 *   every call while the deliveries come and until every message has moved to the DLQ (the worker gives each
 *   invocation 6 s, so the receives run out in seconds, not hours); then DocSpace recovers (the seeded faults go on),
 *   `replay` moves the DLQ back, the worker drains it, and the same checks follow.
 *
 * CHAOS_DEBUG=<e-mail> prints that member's events and every DocSpace request about them; CHAOS_DEBUG=wrong does so for
 * every member who ends wrong.
 */
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { CanonicalEventType, Contact } from '../lib/events';
import { signStandardWebhook } from '../lib/http/standardWebhooks';
import { ROUTE_BY_TYPE } from '../lib/http/routes';
import type { Member } from './emulators/docspace';
import { seededRandom, type FaultKind } from './emulators/faults';
import { httpEvent, invokeHttp, lambdaContext, type LambdaHandler, setEnv } from './lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PendingWork } from '../lib/pipeline/pending';
import { dynamoDbKeySet, dynamoDbRecords } from '../lib/store/records';
import { replayDeadLetters } from '../lib/queue/replay';
import { Poller } from './poller';
import { LOCAL, startLocalStack, type LocalStack } from './stack';

/** The Standard Webhooks example schedule, in seconds after the previous attempt; its length caps the attempts. */
const STANDARD_WEBHOOKS_SCHEDULE = [0, 5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600];

export interface ChaosOptions {
  events: number;
  /** Members the events are spread over; about one per 30 events when omitted. */
  members?: number;
  deliveries: number;
  concurrency: number;
  faultRate: number;
  seed: number;
  /** Seconds before each attempt (the first is normally 0); its length is the cap on attempts per delivery. */
  retrySchedule: number[];
  /** Rounds of the follow-up handler before the run stops waiting for it. */
  followUpRounds: number;
  /** sync: the doors apply; queue: the doors enqueue and the worker applies (see above). */
  mode: 'sync' | 'queue';
  /** Queue mode: DocSpace down until everything is in the DLQ, then back, and a replay (see above). */
  outage?: boolean;
  /** Called about every 10 s with the deliveries taken so far, of all. */
  onProgress?: (taken: number, total: number, attempts: number) => void;
}

export const CHAOS_DEFAULTS: Omit<ChaosOptions, 'onProgress' | 'members'> = {
  events: 10_000,
  deliveries: 3,
  concurrency: 50,
  faultRate: 0.2,
  seed: 42,
  retrySchedule: STANDARD_WEBHOOKS_SCHEDULE,
  followUpRounds: 50,
  mode: 'sync',
};

export interface ChaosReport {
  members: number;
  events: number;
  deliveries: number;
  attempts: number;
  /** Members with no DocSpace member. */
  lost: number;
  /** Extra DocSpace members with a member's address. */
  duplicated: number;
  /** Members present once whose status, type, contacts or names differ from the history's. */
  wrong: number;
  /** Events that no delivery got a 2xx for. */
  neverAcknowledged: number;
  /** Wrong members by what was wrong (a member may count under several). */
  wrongBy: Record<string, number>;
  /** How deliveries ended, by event type: `2xx`, the 4xx that ended them, or `gave up` after the last attempt's answer. */
  endings: Record<string, number>;
  /** Every answer, as `status outcome`, over all attempts. */
  answers: Record<string, number>;
  faults: Partial<Record<FaultKind, number>>;
  /** First deliveries of an update taken before any delivery of the member's hire. */
  updatesBeforeHire: number;
  followUp: { handler: boolean; rounds: number; done: number; remaining: number };
  /** Queue mode: batches the worker ran, messages it reported failed, and what was left in the queue and the DLQ. */
  queue?: {
    batches: number;
    failedMessages: number;
    left: number;
    deadLetters: number;
    outage?: { deadLettered: number; replayed: number };
  };
  seconds: number;
  /** One line per lost, duplicated or wrong member (at most 20). */
  problems: string[];
  /** Some events never acknowledged, with the answers their deliveries got (at most 10). */
  unacknowledged: string[];
}

type Status = 1 | 2;
type TypeNumber = 1 | 2 | 3 | 4;

interface Expected {
  email: string;
  firstName: string;
  lastName: string;
  status: Status;
  /** The last role requested. */
  type: TypeNumber;
  /** The role requested when the member was last disabled (for members who end disabled). */
  typeWhenDisabled: TypeNumber;
  /**
   * Every role requested. Deliveries come out of order, so a role requested while the member was disabled may have
   * met them enabled, and been applied: a member who ends disabled has one of these types.
   */
  typesRequested: Set<TypeNumber>;
  /** Lower-case contact type → value. */
  contacts: Map<string, string>;
}

interface ChaosEvent {
  id: string;
  type: CanonicalEventType;
  occurredAt: string;
  source: string;
  data: Record<string, unknown>;
}

const ROLES: [string, TypeNumber][] = [
  ['User', 4],
  ['RoomAdmin', 1],
  ['DocSpaceAdmin', 3],
  ['Guest', 2],
];
const CONTACT_TYPES = ['mail', 'phone', 'mobphone', 'skype', 'twitter'];
/** What a sender reads as final: a 2xx, or any 4xx except 408 and 429 (never retried). */
const endsDelivery = (status: number) =>
  (status >= 200 && status < 300) || (status >= 400 && status < 500 && status !== 408 && status !== 429);

/** Names take letters only (DocSpace refuses digits in names): 0 → "Ma", 27 → "Mbb"… */
const lettersOf = (n: number): string => {
  let out = '';
  do {
    out = String.fromCharCode(97 + (n % 26)) + out;
    n = Math.floor(n / 26);
  } while (n > 0);
  return `M${out}`;
};

function pickContactTypes(random: () => number, count: number): string[] {
  const types = [...CONTACT_TYPES];
  for (let i = types.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [types[i], types[j]] = [types[j] as string, types[i] as string];
  }
  return types.slice(0, count);
}

/** The histories: events in the order they happened, and what each member must end as. */
function plan(o: ChaosOptions, random: () => number) {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const memberCount = Math.max(1, o.members ?? Math.round(o.events / 30));
  const expected = new Map<string, Expected>();
  const events: ChaosEvent[] = [];
  const base = Date.UTC(2026, 0, 1);
  const push = (type: CanonicalEventType, data: Record<string, unknown>) => {
    const i = events.length;
    // One clock for all histories: each member's events are in increasing time, interleaved with the others'.
    events.push({ id: `evt_chaos_${o.seed}_${i}`, type, occurredAt: new Date(base + i * 1000).toISOString(), source: 'chaos', data });
  };
  const contactValue = (type: string, i: number) =>
    type === 'mail' ? `c${i}@mail.example.org` : type === 'skype' ? `live:chaos${i}` : type === 'twitter' ? `@chaos${i}` : `+1 555 ${i}`;

  for (let i = 0; i < o.events; i += 1) {
    const m = Math.floor(random() * memberCount);
    const email = `member${m}@chaos.example.com`;
    const state = expected.get(email);
    if (!state) {
      // The hire: a Guest one time in five, contacts one time in two.
      const [role, type] = random() < 0.2 ? (ROLES[3] as [string, TypeNumber]) : pick(ROLES.slice(0, 3));
      const contacts =
        random() < 0.5 ? pickContactTypes(random, 1 + Math.floor(random() * 3)).map((t) => ({ type: t, value: contactValue(t, i) })) : [];
      const hired: Expected = {
        email,
        firstName: 'Chaos',
        lastName: lettersOf(m),
        status: 1,
        type,
        typeWhenDisabled: type,
        typesRequested: new Set([type]),
        contacts: new Map(contacts.map((c) => [c.type, c.value])),
      };
      expected.set(email, hired);
      push('user.created', { email, firstName: hired.firstName, lastName: hired.lastName, role, ...(contacts.length ? { contacts } : {}) });
      continue;
    }
    const roll = random();
    if (roll < 0.35) {
      const [role, type] = pick(ROLES);
      state.type = type;
      state.typesRequested.add(type);
      push('user.role_changed', { email, role });
    } else if (roll < 0.75) {
      // A partial update: some types only; an empty value removes the type.
      const contacts: Contact[] = pickContactTypes(random, 1 + Math.floor(random() * 3)).map((t) => ({
        type: t,
        value: random() < 0.25 ? '' : contactValue(t, i),
      }));
      for (const c of contacts) {
        if (c.value === '') state.contacts.delete(c.type);
        else state.contacts.set(c.type, c.value);
      }
      push('user.contact_updated', { email, contacts });
    } else if (state.status === 1) {
      state.status = 2;
      state.typeWhenDisabled = state.type;
      push('user.deactivated', { email });
    } else {
      state.status = 1;
      push('user.reactivated', { email });
    }
  }
  return { expected, events };
}

/** The follow-up handler, when it exists: `{ done, remaining }` per round. */
type FollowUp = (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<{ done: number; remaining: number }>;

async function loadFollowUp(): Promise<FollowUp | undefined> {
  if (!existsSync(fileURLToPath(new URL('../handlers/followUp.ts', import.meta.url)))) return undefined;
  // Not a literal, so the type check does not need the module to exist yet; once it does, its errors are real.
  const specifier = '../handlers/followUp';
  return ((await import(/* @vite-ignore */ specifier)) as { handler: FollowUp }).handler;
}

/** The service's follow-ups, round after round, until nothing is waiting; running downgrades complete between rounds. */
async function runFollowUps(stack: LocalStack, maxRounds: number): Promise<ChaosReport['followUp']> {
  const followUp = await loadFollowUp();
  const result = { handler: followUp !== undefined, rounds: 0, done: 0, remaining: 0 };
  if (!followUp) return result;
  for (let round = 0; round < maxRounds; round += 1) {
    stack.docspace.finishTypeTasks();
    const { done, remaining } = await followUp({}, lambdaContext('followUp', 29_000));
    result.rounds += 1;
    result.done += done;
    result.remaining = remaining;
    // What waits on the world (a member who ends disabled keeps a deferred type change) is not the service's to finish.
    if (remaining === 0) break;
  }
  return result;
}

interface Delivery {
  event: ChaosEvent;
  /** One message, one webhook-id, kept across its retries. */
  messageId: string;
  /** Attempts made so far. */
  attempts: number;
  /** Virtual seconds at which the next attempt is due. */
  due: number;
  /** Real time (performance.now) before which the next attempt must not start. */
  notBefore: number;
  history: string[];
}

export async function runChaos(options: Partial<ChaosOptions> = {}): Promise<ChaosReport> {
  const o: ChaosOptions = { ...CHAOS_DEFAULTS, ...options };
  const random = seededRandom(o.seed);
  const { expected, events } = plan(o, random);

  const deliveries: Delivery[] = events.flatMap((event) =>
    Array.from({ length: o.deliveries }, (_, k) => ({
      event,
      messageId: `msg_${event.id}_${k}`,
      attempts: 0,
      due: 0,
      notBefore: 0,
      history: [],
    })),
  );
  for (let i = deliveries.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [deliveries[i], deliveries[j]] = [deliveries[j] as Delivery, deliveries[i] as Delivery];
  }
  // The first attempts go out at a steady rate on the virtual clock: 100 a second.
  deliveries.forEach((d, i) => (d.due = i / 100));

  const stack = await startLocalStack({
    faults: { rate: o.faultRate, seed: o.seed, slowMs: 50, retryAfterSeconds: 1 },
    downgradePolls: 1,
    sqs: { maxReceives: Number(process.env.QUEUE_MAX_RECEIVES ?? 5), visibilityTimeoutSeconds: 1 },
  });
  const restoreEnv = setEnv({
    ...stack.env,
    POWERTOOLS_LOG_LEVEL: process.env.CHAOS_LOG_LEVEL ?? 'SILENT',
    DOCSPACE_CONNECTIONS: String(o.concurrency),
    DELIVERY_MODE: o.mode,
  });
  let poller: Poller | undefined;
  const queueStats: NonNullable<ChaosReport['queue']> = { batches: 0, failedMessages: 0, left: 0, deadLetters: 0 };
  const sqs = stack.sqs.client();
  let worker: LambdaHandler | undefined;
  const startPoller = (timeoutMs: number, concurrency = Math.max(1, Math.round(o.concurrency / 5))) => {
    poller = new Poller({
      client: sqs,
      queueUrl: stack.sqs.queueUrl,
      handler: worker as LambdaHandler,
      concurrency,
      idleMs: 50,
      timeoutMs,
      onBatch: ({ failed }) => {
        queueStats.batches += 1;
        queueStats.failedMessages += failed;
      },
    });
    poller.start();
  };
  /** Until the events queue is empty (drained, or dead-lettered), ten minutes at most. */
  const queueEmpty = async () => {
    const deadline = performance.now() + 10 * 60_000;
    while (performance.now() < deadline && (await stack.sqs.depth(stack.sqs.queueUrl)) > 0) await sleep(200);
  };
  try {
    if (o.mode === 'queue') {
      worker = ((await import('../handlers/worker')) as { handler: LambdaHandler }).handler;
      if (o.outage) stack.docspace.setFaults({ rate: 1, seed: o.seed, mix: { '503': 1 }, retryAfterSeconds: 1 });
      // During the outage as many batches at once as Lambda would run (one per member group at most): every message
      // must use up its receives, one short invocation each.
      if (o.outage) startPoller(6_000, o.concurrency);
      else startPoller(60_000);
    }
    type Module = { handler: LambdaHandler };
    const statusHandler = ((await import('../handlers/userStatusChanged')) as Module).handler;
    const handlers: Record<CanonicalEventType, LambdaHandler> = {
      'user.created': ((await import('../handlers/userCreated')) as Module).handler,
      'user.role_changed': ((await import('../handlers/userRoleChanged')) as Module).handler,
      'user.contact_updated': ((await import('../handlers/userContactUpdated')) as Module).handler,
      'user.deactivated': statusHandler,
      'user.reactivated': statusHandler,
    };

    const started = performance.now();
    const answers: Record<string, number> = {};
    const endings: Record<string, number> = {};
    const acknowledged = new Set<string>();
    const hireTaken = new Set<string>();
    let updatesBeforeHire = 0;
    let attempts = 0;
    let next = 0;
    let virtualNow = 0;
    const count = (into: Record<string, number>, key: string) => (into[key] = (into[key] ?? 0) + 1);

    /** Retries in virtual due order. */
    const retries: Delivery[] = [];
    const scheduleRetry = (d: Delivery) => {
      let lo = 0;
      let hi = retries.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((retries[mid] as Delivery).due <= d.due) lo = mid + 1;
        else hi = mid;
      }
      retries.splice(lo, 0, d);
    };
    /** Whatever is due first on the virtual clock; a retry also waits its compressed real delay. */
    const takeNext = (): Delivery | undefined => {
      const fresh = deliveries[next];
      const retry = retries[0];
      const retryReady = retry !== undefined && retry.notBefore <= performance.now();
      let taken: Delivery | undefined;
      if (fresh && (!retryReady || fresh.due <= retry.due)) {
        taken = fresh;
        next += 1;
      } else if (retryReady) taken = retries.shift();
      if (taken) virtualNow = Math.max(virtualNow, taken.due);
      return taken;
    };

    const attemptOnce = async (d: Delivery) => {
      const { event } = d;
      if (d.attempts === 0) {
        if (event.type === 'user.created') hireTaken.add(String(event.data.email));
        else if (!hireTaken.has(String(event.data.email))) updatesBeforeHire += 1;
      }
      d.attempts += 1;
      attempts += 1;
      const body = JSON.stringify(event);
      // Signed afresh for each attempt (a new timestamp), under the message's one webhook-id.
      const request = httpEvent(ROUTE_BY_TYPE[event.type], body, signStandardWebhook(body, LOCAL.signingSecret, d.messageId));
      let status: number;
      let key: string;
      let message: string;
      let retryAfter = 0;
      try {
        const answer = await invokeHttp(handlers[event.type], request, lambdaContext(event.type, 29_000));
        status = answer.statusCode;
        key = `${status} ${answer.body.outcome}`;
        message = answer.body.message ?? '';
        retryAfter = Number(answer.headers['retry-after'] ?? answer.headers['Retry-After'] ?? 0) || 0;
      } catch (error) {
        // What a sender sees of a function that failed to answer: the connection ends, and it retries.
        status = 0;
        key = 'error';
        message = error instanceof Error ? error.message : String(error);
      }
      count(answers, key);
      d.history.push(status >= 200 && status < 300 ? key : `${key} (${message.slice(0, 80)})`);
      if (status >= 200 && status < 300) acknowledged.add(event.id);
      if (endsDelivery(status)) {
        count(endings, `${event.type}: ${status < 300 ? '2xx' : key}`);
        return;
      }
      if (d.attempts >= o.retrySchedule.length) {
        count(endings, `${event.type}: gave up after ${key}`);
        return;
      }
      const delay = Math.max(o.retrySchedule[d.attempts] ?? 0, retryAfter);
      d.due = virtualNow + delay;
      // Compressed a thousandfold (a second of the schedule is a millisecond here), at most 3 s: ordering follows the
      // virtual clock, and a retry still comes after a lease or a running task of a few hundred milliseconds.
      d.notBefore = performance.now() + Math.min(3_000, delay);
      scheduleRetry(d);
    };

    let inFlight = 0;
    const progress = o.onProgress ? setInterval(() => o.onProgress?.(next, deliveries.length, attempts), 10_000) : undefined;
    await Promise.all(
      Array.from({ length: o.concurrency }, async () => {
        for (;;) {
          const d = takeNext();
          if (d) {
            inFlight += 1;
            await attemptOnce(d);
            inFlight -= 1;
          } else if (retries.length > 0 || inFlight > 0 || next < deliveries.length) {
            await sleep(5);
          } else {
            return;
          }
        }
      }),
    );
    clearInterval(progress);

    if (poller && o.outage) {
      // DocSpace stays down until every message ran out of receives; then it is back, and the DLQ is replayed.
      await queueEmpty();
      await poller.stop();
      const deadLettered = await stack.sqs.depth(stack.sqs.dlqUrl);
      stack.docspace.setFaults({ rate: o.faultRate, seed: o.seed, slowMs: 50, retryAfterSeconds: 1 });
      const { moved } = await replayDeadLetters({ client: sqs, dlqUrl: stack.sqs.dlqUrl, queueUrl: stack.sqs.queueUrl });
      queueStats.outage = { deadLettered, replayed: moved };
      startPoller(60_000);
    }
    if (poller) {
      // Every delivery was answered: the worker drains what the doors queued (a failed message comes back after the
      // visibility timeout, or moves to the DLQ after its last receive).
      await queueEmpty();
      await poller.stop();
      queueStats.left = await stack.sqs.depth(stack.sqs.queueUrl);
      queueStats.deadLetters = await stack.sqs.depth(stack.sqs.dlqUrl);
    }

    const followUp = await runFollowUps(stack, o.followUpRounds);
    // DocSpace's own background type changes finish whether anybody polls them or not.
    stack.docspace.finishTypeTasks();

    const check = checkFinalState(stack, expected, await deferredRoles(expected));
    if (followUp.remaining > 0) check.problems.unshift(`follow-ups: ${followUp.remaining} still waiting after ${followUp.rounds} rounds`);
    if (queueStats.left > 0) check.problems.unshift(`queue: ${queueStats.left} message(s) never drained`);
    if (queueStats.deadLetters > 0) check.problems.unshift(`queue: ${queueStats.deadLetters} message(s) in the DLQ`);
    const unacknowledged = deliveriesByEvent(deliveries)
      .filter(([event]) => !acknowledged.has(event.id))
      .slice(0, 10)
      .map(([event, ds]) => `${event.id} (${event.type} ${String(event.data.email)}): ${ds.map((d) => d.history.join(' → ')).join(' | ')}`);
    if (process.env.CHAOS_DEBUG === 'wrong') for (const problem of check.problems) debugMember(stack, events, problem.split(':')[0] ?? '');
    else if (process.env.CHAOS_DEBUG) debugMember(stack, events, process.env.CHAOS_DEBUG);
    return {
      members: expected.size,
      events: events.length,
      deliveries: deliveries.length,
      attempts,
      lost: check.lost,
      duplicated: check.duplicated,
      wrong: check.wrong,
      neverAcknowledged: events.filter((e) => !acknowledged.has(e.id)).length,
      wrongBy: check.wrongBy,
      endings,
      answers,
      faults: { ...(stack.docspace.faults?.injected ?? {}) },
      updatesBeforeHire,
      followUp,
      ...(o.mode === 'queue' ? { queue: queueStats } : {}),
      seconds: Math.round((performance.now() - started) / 100) / 10,
      problems: check.problems.slice(0, 20),
      unacknowledged,
    };
  } finally {
    await poller?.stop();
    sqs.destroy();
    await stack.stop();
    restoreEnv();
  }
}

function deliveriesByEvent(deliveries: Delivery[]): [ChaosEvent, Delivery[]][] {
  const byEvent = new Map<ChaosEvent, Delivery[]>();
  for (const d of deliveries) byEvent.set(d.event, [...(byEvent.get(d.event) ?? []), d]);
  return [...byEvent];
}

/** One member's events in history order, then every DocSpace request that names their id. */
function debugMember(stack: LocalStack, events: ChaosEvent[], email: string): void {
  for (const e of events) if (e.data.email === email) console.log('EVENT', e.id, e.type, e.occurredAt, JSON.stringify(e.data));
  for (const m of stack.docspace.members.values()) {
    if (m.email !== email) continue;
    for (const r of stack.docspace.requests) if (JSON.stringify(r).includes(m.id)) console.log(JSON.stringify(r));
  }
}

const NAMES: Record<number, string> = { 1: 'RoomAdmin', 2: 'Guest', 3: 'DocSpaceAdmin', 4: 'User' };
const showContacts = (m: Map<string, string>) =>
  `{${[...m]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([t, v]) => `${t}: ${v}`)
    .join(', ')}}`;

/** The roles the service keeps deferred, per member who ends disabled (read from its store, as the follow-ups would). */
async function deferredRoles(expected: Map<string, Expected>): Promise<Map<string, string[]>> {
  const clock = { now: () => Date.now(), sleep };
  const records = dynamoDbRecords(new DynamoDBClient({}), LOCAL.eventsTable, clock);
  const pending = new PendingWork(records, dynamoDbKeySet(new DynamoDBClient({}), LOCAL.eventsTable, 'pending#members'), clock);
  const out = new Map<string, string[]>();
  for (const [email, want] of expected) {
    if (want.status !== 2) continue;
    const waiting = await pending.of(`email:${email}`);
    out.set(
      email,
      waiting.flatMap((w) => (w.event.type === 'user.role_changed' ? [w.event.data.role] : [])),
    );
  }
  return out;
}

function checkFinalState(stack: LocalStack, expected: Map<string, Expected>, deferred: Map<string, string[]>) {
  const byEmail = new Map<string, Member[]>();
  for (const member of stack.docspace.members.values()) {
    const list = byEmail.get(member.email.toLowerCase()) ?? [];
    list.push(member);
    byEmail.set(member.email.toLowerCase(), list);
  }
  let lost = 0;
  let duplicated = 0;
  let wrong = 0;
  const wrongBy: Record<string, number> = {};
  const problems: string[] = [];
  for (const [email, want] of expected) {
    const found = byEmail.get(email) ?? [];
    if (found.length === 0) {
      lost += 1;
      problems.push(`${email}: lost`);
      continue;
    }
    if (found.length > 1) {
      duplicated += found.length - 1;
      problems.push(`${email}: ${found.length} members`);
      continue;
    }
    const member = found[0] as Member;
    const faults: [string, string][] = [];
    if (member.status !== want.status) faults.push(['status', `status ${member.status} (want ${want.status})`]);
    // A member who ends disabled keeps a type requested earlier (DocSpace cannot retype them); the last role requested
    // must then be kept by the service, deferred until they are enabled again.
    const lastRole = NAMES[want.type] ?? '';
    const keptForLater =
      want.status === 2 &&
      want.typesRequested.has(member.type) &&
      (member.type === want.type || (deferred.get(want.email) ?? []).includes(lastRole));
    if (member.type !== want.type && !keptForLater) {
      const wanted =
        want.status === 2 && want.typeWhenDisabled !== want.type
          ? `${NAMES[want.type]} or ${NAMES[want.typeWhenDisabled]}`
          : NAMES[want.type];
      faults.push(['type', `type ${NAMES[member.type]} (want ${wanted})`]);
    }
    const actual = new Map<string, string>();
    let repeated = false;
    for (const c of member.contacts) {
      if (actual.has(c.type.toLowerCase())) repeated = true;
      actual.set(c.type.toLowerCase(), c.value);
    }
    if (repeated || actual.size !== want.contacts.size || [...want.contacts].some(([t, v]) => actual.get(t) !== v)) {
      faults.push([
        'contacts',
        `contacts ${showContacts(actual)}${repeated ? ' (a type repeated)' : ''} (want ${showContacts(want.contacts)})`,
      ]);
    }
    if (member.firstName !== want.firstName || member.lastName !== want.lastName) {
      faults.push(['names', `names ${member.firstName} ${member.lastName} (want ${want.firstName} ${want.lastName})`]);
    }
    if (faults.length > 0) {
      wrong += 1;
      for (const [kind] of faults) wrongBy[kind] = (wrongBy[kind] ?? 0) + 1;
      problems.push(`${email}: ${faults.map(([, line]) => line).join('; ')}`);
    }
  }
  return { lost, duplicated, wrong, wrongBy, problems };
}
