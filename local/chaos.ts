/**
 * The chaos run: many events over many members, each delivered several times in shuffled order at high concurrency,
 * signed, to the real handlers, against a DocSpace emulator that injects faults; deliveries are retried as a
 * Standard Webhooks sender would. Then the emulator's final state is compared with the expected state, member by
 * member: lost (no member, or a delivery given up), duplicated (more than one member), wrong (type or contact).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { CanonicalEventType } from '../lib/events';
import { ROUTE_BY_TYPE } from '../lib/http/routes';
import { seededRandom, type FaultKind } from './emulators/faults';
import { startLocalStack } from './stack';
import { invokeHttp, lambdaContext, type LambdaHandler, setEnv, signedHttpEvent } from './lambda';

export interface ChaosOptions {
  events: number;
  deliveries: number;
  concurrency: number;
  faultRate: number;
  seed: number;
  /** Attempts a sender makes per delivery before giving up (the event then counts as lost). */
  maxAttempts: number;
  /** Called about every 10 s with the deliveries taken so far, of all. */
  onProgress?: (taken: number, total: number, attempts: number) => void;
}

export const CHAOS_DEFAULTS: Omit<ChaosOptions, 'onProgress'> = { events: 10_000, deliveries: 3, concurrency: 50, faultRate: 0.2, seed: 42, maxAttempts: 60 };

export interface ChaosReport {
  members: number;
  events: number;
  deliveries: number;
  attempts: number;
  lost: number;
  duplicated: number;
  wrong: number;
  faults: Partial<Record<FaultKind, number>>;
  answers: Record<string, number>;
  seconds: number;
  problems: string[];
}

interface Planned {
  type: CanonicalEventType;
  body: Record<string, unknown>;
}

const ROLES: [string, number][] = [['User', 4], ['RoomAdmin', 1], ['DocSpaceAdmin', 3], ['Guest', 2]];
/** Answers after which a sender stops retrying: the event was accepted, or it can never be. */
const FINAL_STATUSES = new Set([200, 202, 400, 401, 413, 422]);

/** Names take letters only (DocSpace refuses digits in names): 0 → "Aa", 27 → "Bb"… */
const lettersOf = (n: number): string => {
  let out = '';
  do {
    out = String.fromCharCode(97 + (n % 26)) + out;
    n = Math.floor(n / 26);
  } while (n > 0);
  return `M${out}`;
};

export async function runChaos(options: Partial<ChaosOptions> = {}): Promise<ChaosReport> {
  const o = { ...CHAOS_DEFAULTS, ...options };
  const random = seededRandom(o.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

  // About one member per four events: a hire, then role changes and phone changes in time order.
  const memberCount = Math.max(1, Math.round(o.events / 4));
  const expected = new Map<string, { type: number; mobphone: string }>();
  const planned: Planned[] = [];
  for (let m = 0; m < memberCount; m += 1) {
    const email = `member${m}@chaos.example.com`;
    const [role, type] = pick(ROLES.slice(0, 2));
    const mobphone = `+1 555 ${String(m).padStart(4, '0')}-0`;
    expected.set(email, { type, mobphone });
    planned.push({ type: 'user.created', body: { email, firstName: 'Chaos', lastName: lettersOf(m), role, contacts: [{ type: 'mobphone', value: mobphone }] } });
  }
  for (let i = planned.length; i < o.events; i += 1) {
    const email = `member${Math.floor(random() * memberCount)}@chaos.example.com`;
    const state = expected.get(email) as { type: number; mobphone: string };
    if (random() < 0.5) {
      const [role, type] = pick(ROLES);
      state.type = type;
      planned.push({ type: 'user.role_changed', body: { email, role } });
    } else {
      state.mobphone = `+1 555 ${i}`;
      planned.push({ type: 'user.contact_updated', body: { email, contacts: [{ type: 'mobphone', value: state.mobphone }] } });
    }
  }
  // Events in generation order happened in that order: later ones are newer.
  const base = Date.UTC(2026, 0, 1);
  const events = planned.map((p, i) => ({ id: `evt_chaos_${o.seed}_${i}`, type: p.type, occurredAt: new Date(base + i * 1000).toISOString(), source: 'chaos', data: p.body }));

  const deliveries = events.flatMap((event) => Array.from({ length: o.deliveries }, () => event));
  for (let i = deliveries.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [deliveries[i], deliveries[j]] = [deliveries[j] as (typeof events)[number], deliveries[i] as (typeof events)[number]];
  }

  const stack = await startLocalStack({
    faults: { rate: o.faultRate, seed: o.seed, slowMs: 50, retryAfterSeconds: 1 },
    downgradePolls: 1,
  });
  const restoreEnv = setEnv({ ...stack.env, POWERTOOLS_LOG_LEVEL: process.env.CHAOS_LOG_LEVEL ?? 'SILENT', DOCSPACE_CONNECTIONS: String(o.concurrency) });
  const handlers: Record<string, LambdaHandler> = {
    'user.created': ((await import('../handlers/userCreated')) as { handler: LambdaHandler }).handler,
    'user.role_changed': ((await import('../handlers/userRoleChanged')) as { handler: LambdaHandler }).handler,
    'user.contact_updated': ((await import('../handlers/userContactUpdated')) as { handler: LambdaHandler }).handler,
  };

  const started = performance.now();
  const answers: Record<string, number> = {};
  const problems: string[] = [];
  let attempts = 0;
  let givenUp = 0;
  let next = 0;

  // A sender's retry queue: a delivery that failed for a reason that may pass goes to the back with a not-before
  // time, honouring Retry-After. The clock runs compressed (waits capped at a second) so the run takes minutes.
  type Delivery = { event: (typeof events)[number]; attempt: number; notBefore: number; history: string[] };
  const retries: Delivery[] = [];
  /** Kept in not-before order, so the head is the next retry due. */
  const scheduleRetry = (delivery: Delivery) => {
    let lo = 0;
    let hi = retries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((retries[mid] as Delivery).notBefore <= delivery.notBefore) lo = mid + 1;
      else hi = mid;
    }
    retries.splice(lo, 0, delivery);
  };
  // New deliveries first: on a sender's real clock retries come minutes to hours later, long after the burst.
  const takeNext = (): Delivery | undefined => {
    if (next < deliveries.length) return { event: deliveries[next++] as (typeof events)[number], attempt: 1, notBefore: 0, history: [] };
    if (retries.length > 0 && (retries[0] as Delivery).notBefore <= performance.now()) return retries.shift();
    return undefined;
  };
  const attemptOnce = async (delivery: Delivery) => {
    const { event } = delivery;
    attempts += 1;
    const answer = await invokeHttp(handlers[event.type] as LambdaHandler, signedHttpEvent(ROUTE_BY_TYPE[event.type], event), lambdaContext(event.type, 29_000));
    const key = `${answer.statusCode} ${answer.body.outcome}`;
    answers[key] = (answers[key] ?? 0) + 1;
    delivery.history.push(`${Math.round(performance.now() - started)}ms ${key}`);
    if (answer.statusCode === 500 && problems.length < 20) problems.push(`${event.id}: ${key} ${answer.body.message ?? ''}`);
    if (FINAL_STATUSES.has(answer.statusCode)) {
      if (answer.statusCode >= 400 && problems.length < 20) problems.push(`${event.id}: ${key} ${answer.body.message ?? ''}`);
      return;
    }
    // 404 (the hire has not landed yet), 409 (in flight elsewhere) and 5xx are retried.
    if (delivery.attempt >= o.maxAttempts) {
      givenUp += 1;
      if (problems.length < 20) problems.push(`${event.id} (${event.type}): given up after ${o.maxAttempts} attempts: ${delivery.history.slice(0, 3).join(', ')} … ${delivery.history.slice(-2).join(', ')}`);
      return;
    }
    const retryAfterMs = Number(answer.headers['retry-after'] ?? 0) * 1000;
    const backoffMs = Math.min(1_000, 10 * 2 ** delivery.attempt) * (0.5 + random() / 2);
    scheduleRetry({ ...delivery, attempt: delivery.attempt + 1, notBefore: performance.now() + Math.min(1_000, Math.max(retryAfterMs, backoffMs)) });
  };

  let inFlight = 0;
  const progress = o.onProgress ? setInterval(() => o.onProgress?.(next, deliveries.length, attempts), 10_000) : undefined;
  await Promise.all(
    Array.from({ length: o.concurrency }, async () => {
      for (;;) {
        const delivery = takeNext();
        if (delivery) {
          inFlight += 1;
          await attemptOnce(delivery);
          inFlight -= 1;
        } else if (retries.length > 0 || inFlight > 0) {
          await sleep(5);
        } else {
          return;
        }
      }
    }),
  );

  clearInterval(progress);
  let lost = givenUp;
  let duplicated = 0;
  let wrong = 0;
  const byEmail = new Map<string, { type: number; contacts: { type: string; value: string }[] }[]>();
  for (const member of stack.docspace.members.values()) {
    const list = byEmail.get(member.email.toLowerCase()) ?? [];
    list.push(member);
    byEmail.set(member.email.toLowerCase(), list);
  }
  for (const [email, want] of expected) {
    const found = byEmail.get(email) ?? [];
    if (found.length === 0) {
      lost += 1;
      continue;
    }
    if (found.length > 1) duplicated += found.length - 1;
    const member = found[0] as { type: number; contacts: { type: string; value: string }[] };
    const mobphone = member.contacts.find((c) => c.type.toLowerCase() === 'mobphone')?.value;
    if (member.type !== want.type || mobphone !== want.mobphone) {
      wrong += 1;
      if (problems.length < 20) problems.push(`${email}: type ${member.type} (want ${want.type}), mobphone ${mobphone} (want ${want.mobphone})`);
    }
  }
  const report: ChaosReport = {
    members: memberCount,
    events: events.length,
    deliveries: deliveries.length,
    attempts,
    lost,
    duplicated,
    wrong,
    faults: { ...(stack.docspace.faults?.injected ?? {}) },
    answers,
    seconds: Math.round((performance.now() - started) / 100) / 10,
    problems,
  };
  await stack.stop();
  restoreEnv();
  return report;
}
