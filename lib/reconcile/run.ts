/**
 * One reconciliation run for one sender: read the roster and every DocSpace member (paged), look up who manages
 * them (one batched read), compute the drift, hold back what is destructive past the safety threshold, and hand the
 * rest, as canonical events, to the pipeline (sync mode) or the queue (queue mode).
 *
 * Everything that writes goes through what it is given: DocSpace writes only through `submit` (the pipeline's
 * `process` or the queue ingress: the sync rules, idempotency, ordering and ownership are theirs), the ownership of
 * matched members and the run's cursor through `owners` and `cursor`. Reads go through the People port and the
 * sender's roster reader. A plan (dry run) can therefore swap each port and store nothing.
 *
 * Chunks: a run stops applying when the invocation has little time left, and keeps its cursor (run id, start) in
 * the store. The next invocation resumes the run: it reads both sides again, so what was applied is no drift any
 * more, and what is left gets the same event ids as before (idempotency answers anything applied but not visible
 * yet, such as a parked or deferred event, without a DocSpace call). A run that finished leaves the cursor `done`,
 * and the next run has a new id, so it can apply again what someone undid by hand since.
 */
import { MEMBERS_PAGE_SIZE, type MembersPage } from '../docspace/people';
import type { Profile } from '../docspace/types';
import type { CanonicalEvent } from '../events';
import { emailHash, logger } from '../log';
import { countReconcileRun } from '../metrics/record';
import { answerFor, type OutcomeName, type SyncResult } from '../outcome';
import type { Ownership } from '../pipeline/member';
import type { RosterPerson, SenderContext } from '../senders/kit/adapter';
import type { Clock } from '../store/ports';
import { DRIFT_KINDS, driftOf, type DriftItem, type DriftKind } from './drift';

/** The run's state between invocations (`reconcile#<sender>` in the events table). */
export interface Cursor {
  runId: string;
  startedAtMs: number;
  state: 'running' | 'done';
  /** The server answered that it cannot change contacts (v3.2.1+): contacts are no longer compared. */
  contactsUnsupported?: boolean;
}

export interface CursorStore {
  get(sender: string): Promise<Cursor | undefined>;
  put(sender: string, cursor: Cursor): Promise<void>;
}

interface OwnershipStore {
  ownersOf(emails: readonly string[]): Promise<Map<string, Ownership>>;
  /** Records that this sender manages a member it matched. */
  claim(email: string, userId: string, sender: string, now: number): Promise<void>;
}

/** Where the drift goes: the pipeline, one event at a time, or the queue (the worker applies). */
type Submit =
  | { kind: 'pipeline'; process: (event: CanonicalEvent) => Promise<SyncResult> }
  | {
      kind: 'queue';
      enqueue: (events: readonly CanonicalEvent[]) => Promise<void>;
      /**
       * Applies one event now. The first contacts item goes this way: the worker's answer never comes back to the
       * run, and this one says whether the server can change contacts at all (v3.2.1+ cannot).
       */
      process: (event: CanonicalEvent) => Promise<SyncResult>;
    };

interface Threshold {
  /** More disables and downgrades than this in one run are held back… */
  maxDisable: number;
  /** …and so is more than this percentage of the members the sender manages (from MIN_DISABLES_FOR_PERCENT on). */
  maxDisablePercent: number;
}

/** Below this many disables the percentage rule does not apply: one leaver of a ten-person company is normal. */
const MIN_DISABLES_FOR_PERCENT = 3;

export interface ReconcileDeps {
  sender: string;
  context: SenderContext & { readonly apiCalls?: number };
  roster(remainingMs: () => number): Promise<RosterPerson[]>;
  people: { listMembers(startIndex: number, count?: number): Promise<MembersPage> };
  owners: OwnershipStore;
  cursor: CursorStore;
  submit: Submit;
  clock: Clock;
  threshold: Threshold;
  remainingMs: () => number;
  /** DocSpace requests made so far by the reads (the People port's client), for the report. */
  docspaceCalls?: () => number;
}

export interface ReconcileRequest {
  force?: boolean;
}

type ItemStatus = 'applied' | 'queued' | 'held_back' | 'failed' | 'unsupported' | 'not_attempted';

interface ReportItem {
  kind: DriftKind;
  /** The canonical event that applies it (its idempotency id). */
  eventId: string;
  email: string;
  userId?: string;
  detail: string;
  status: ItemStatus;
  outcome?: OutcomeName;
  message?: string;
}

export interface ReconcileReport {
  sender: string;
  runId: string;
  resumed: boolean;
  /** Every drift item was handled (applied, queued, held back or failed for good); false: the next run resumes. */
  complete: boolean;
  mode: Submit['kind'];
  force: boolean;
  roster: { people: number; active: number };
  docspace: { members: number; pages: number };
  managed: number;
  matched: number;
  drift: Record<DriftKind, number>;
  applied: number;
  queued: number;
  heldBack: number;
  failed: number;
  notAttempted: number;
  /** `disables` and `downgrades` (type changes to a less privileged type) both count toward the threshold. */
  threshold: Threshold & { disables: number; downgrades: number; tripped: boolean };
  skipped: Record<string, number>;
  contactsCompared: boolean;
  calls: { roster: number; docspaceReads: number };
  /** Milliseconds spent reading the roster, DocSpace's members, the ownership records, and applying. */
  durationsMs: { roster: number; docspace: number; owners: number; apply: number };
  items: ReportItem[];
}

/** Time kept back for the report, the cursor and the answer. */
const MARGIN_MS = 10_000;
/** A resumed run older than this starts afresh (a new id). */
const RESUME_WITHIN_MS = 24 * 3600 * 1000;
/** Consecutive failures (DocSpace down, say) that end the chunk: the next run resumes. */
const MAX_CONSECUTIVE_FAILURES = 5;
const QUEUE_BATCH = 10;

async function allMembers(people: ReconcileDeps['people']): Promise<{ members: Profile[]; pages: number }> {
  const members: Profile[] = [];
  let pages = 0;
  // The next page starts after what the server gave (it may give fewer than asked), until it gives none or the total.
  let start = 0;
  for (;;) {
    const page = await people.listMembers(start, MEMBERS_PAGE_SIZE);
    pages += 1;
    members.push(...page.members);
    start += page.members.length;
    if (page.members.length === 0 || start >= page.total) break;
  }
  return { members, pages };
}

function tripped(disables: number, managed: number, threshold: Threshold): boolean {
  if (disables > threshold.maxDisable) return true;
  return disables >= MIN_DISABLES_FOR_PERCENT && disables * 100 > threshold.maxDisablePercent * Math.max(managed, 1);
}

const APPLIED_OUTCOMES = new Set<OutcomeName>(['created', 'exists', 'updated', 'unchanged', 'stale', 'parked', 'deferred', 'in_progress']);

/** A run that ran out of time and is still young enough to be resumed (by the next invocation, or the resume schedule). */
export const isUnfinished = (cursor: Cursor | undefined, now: number): boolean =>
  cursor?.state === 'running' && now - cursor.startedAtMs < RESUME_WITHIN_MS;

export async function reconcile(deps: ReconcileDeps, request: ReconcileRequest = {}): Promise<ReconcileReport> {
  const { sender, clock } = deps;
  const force = request.force === true;
  const now = clock.now();
  const previous = await deps.cursor.get(sender);
  const resumed = isUnfinished(previous, now);
  const cursor: Cursor =
    resumed && previous
      ? previous
      : {
          runId: new Date(now).toISOString().replace(/[-:.]/g, ''),
          startedAtMs: now,
          state: 'running',
          ...(previous?.contactsUnsupported ? { contactsUnsupported: true } : {}),
        };

  const rosterCallsBefore = deps.context.apiCalls ?? 0;
  let mark = performance.now();
  const lap = () => {
    const t = performance.now();
    const elapsed = Math.round(t - mark);
    mark = t;
    return elapsed;
  };
  const roster = await deps.roster(deps.remainingMs);
  const rosterCalls = (deps.context.apiCalls ?? 0) - rosterCallsBefore;
  const rosterMs = lap();
  const { members, pages } = await allMembers(deps.people);
  const docspaceMs = lap();
  const emails = members.flatMap((m) => (m.email ? [m.email.trim().toLowerCase()] : []));
  for (const p of roster) if (p.email) emails.push(p.email.trim().toLowerCase());
  const owners = await deps.owners.ownersOf([...new Set(emails)]);
  const ownersMs = lap();

  // Written once both sides are read (a sender that cannot be read leaves no run behind), before anything is applied.
  await deps.cursor.put(sender, cursor);
  const contactsCompared = !cursor.contactsUnsupported;
  const drift = driftOf({
    sender,
    context: deps.context,
    roster,
    members,
    owners,
    runId: cursor.runId,
    occurredAt: new Date(cursor.startedAtMs).toISOString(),
    contacts: contactsCompared,
  });

  // Disables and downgrades both take something away: a renamed Okta group, say, would otherwise downgrade all of
  // its members in one run with no disable to trip the threshold.
  const disables = drift.items.filter((i) => i.kind === 'deactivate').length;
  const downgrades = drift.items.filter((i) => i.kind === 'type' && i.destructive).length;
  const overThreshold = tripped(disables + downgrades, drift.managed, deps.threshold);
  const holdBack = overThreshold && !force;
  const items: ReportItem[] = drift.items.map((i) => ({
    kind: i.kind,
    eventId: i.event.id,
    email: i.email,
    ...(i.userId ? { userId: i.userId } : {}),
    detail: i.detail,
    status: holdBack && i.destructive ? 'held_back' : 'not_attempted',
  }));

  // Members nobody managed, matched on the roster: this sender's from now on (before any event about them).
  let matched = 0;
  for (const m of drift.matched) {
    if (deps.remainingMs() < MARGIN_MS) break;
    await deps.owners.claim(m.email, m.userId, sender, now);
    matched += 1;
  }
  const allMatched = matched === drift.matched.length;

  const todo = drift.items
    .map((item, index) => ({ item, report: items[index] as ReportItem }))
    .filter((x) => x.report.status === 'not_attempted');
  if (deps.submit.kind === 'queue') await enqueueAll(deps, deps.submit, todo, cursor);
  else await processAll(deps, deps.submit, todo, cursor);

  const applyMs = lap();
  const count = (status: ItemStatus) => items.filter((i) => i.status === status).length;
  const complete = allMatched && count('not_attempted') === 0;
  await deps.cursor.put(sender, { ...cursor, state: complete ? 'done' : 'running' });

  const report: ReconcileReport = {
    sender,
    runId: cursor.runId,
    resumed,
    complete,
    mode: deps.submit.kind,
    force,
    roster: { people: roster.length, active: roster.filter((p) => p.active).length },
    docspace: { members: members.length, pages },
    managed: drift.managed,
    matched,
    drift: Object.fromEntries(DRIFT_KINDS.map((k) => [k, drift.items.filter((i) => i.kind === k).length])) as Record<DriftKind, number>,
    applied: count('applied') + count('unsupported'),
    queued: count('queued'),
    heldBack: count('held_back'),
    failed: count('failed'),
    notAttempted: count('not_attempted'),
    threshold: { ...deps.threshold, disables, downgrades, tripped: overThreshold },
    skipped: drift.skipped,
    contactsCompared,
    calls: { roster: rosterCalls, docspaceReads: deps.docspaceCalls?.() ?? pages },
    durationsMs: { roster: rosterMs, docspace: docspaceMs, owners: ownersMs, apply: applyMs },
    items,
  };
  logAndMeasure(report);
  return report;
}

type Todo = { item: DriftItem; report: ReportItem }[];

async function processAll(deps: ReconcileDeps, submit: Extract<Submit, { kind: 'pipeline' }>, todo: Todo, cursor: Cursor): Promise<void> {
  let failures = 0;
  for (const { item, report } of todo) {
    if (deps.remainingMs() < MARGIN_MS || failures >= MAX_CONSECUTIVE_FAILURES) break;
    if (item.kind === 'contacts' && cursor.contactsUnsupported) {
      report.status = 'unsupported';
      continue;
    }
    try {
      const result = await submit.process(item.event);
      report.outcome = result.outcome;
      if (result.message) report.message = result.message;
      if (result.outcome === 'unsupported_by_server') {
        report.status = 'unsupported';
        // The server cannot change contacts: neither this run nor the next ones compare them again.
        if (item.kind === 'contacts') cursor.contactsUnsupported = true;
      } else report.status = APPLIED_OUTCOMES.has(result.outcome) ? 'applied' : 'failed';
      failures = 0;
    } catch (error) {
      const { answer } = answerFor(error);
      report.status = 'failed';
      report.outcome = answer.outcome;
      if (answer.message) report.message = answer.message;
      failures += 1;
    }
  }
  // What failed for a passing reason is tried again by the next chunk of this run.
  // (An internal error is not passing: a bug on one member must not keep the run open, re-read every 15 minutes.)
  for (const { report } of todo)
    if (report.status === 'failed' && ['unavailable', 'in_flight'].includes(report.outcome ?? '')) report.status = 'not_attempted';
}

async function enqueueAll(deps: ReconcileDeps, submit: Extract<Submit, { kind: 'queue' }>, all: Todo, cursor: Cursor): Promise<void> {
  let todo = all;
  const contacts = todo.filter((x) => x.item.kind === 'contacts');
  const probe = cursor.contactsUnsupported ? undefined : contacts[0];
  if (cursor.contactsUnsupported || probe) {
    if (probe) await processAll(deps, { kind: 'pipeline', process: submit.process }, [probe], cursor);
    if (cursor.contactsUnsupported) for (const x of contacts) x.report.status = 'unsupported';
    todo = todo.filter((x) => x.report.status === 'not_attempted');
  }
  for (let i = 0; i < todo.length; i += QUEUE_BATCH) {
    if (deps.remainingMs() < MARGIN_MS) break;
    const batch = todo.slice(i, i + QUEUE_BATCH);
    try {
      await submit.enqueue(batch.map((x) => x.item.event));
      for (const x of batch) {
        x.report.status = 'queued';
        x.report.outcome = 'queued';
      }
    } catch (error) {
      const { answer } = answerFor(error);
      logger.warn('reconcile: the queue did not take the drift; the next run resumes', { sender: deps.sender, outcome: answer.outcome });
      break;
    }
  }
}

/** One log line per item (e-mails hashed), one for the run; metrics by kind and by what was done. */
function logAndMeasure(report: ReconcileReport): void {
  // The keys the pipeline appended for the last event applied belong to that event, not to the run.
  logger.resetKeys();
  for (const item of report.items) {
    logger.info('reconcile item', {
      sender: report.sender,
      runId: report.runId,
      kind: item.kind,
      eventId: item.eventId,
      emailHash: emailHash(item.email),
      ...(item.userId ? { userId: item.userId } : {}),
      status: item.status,
      ...(item.outcome ? { outcome: item.outcome } : {}),
    });
  }
  const { items: _items, ...summary } = report;
  logger.info('reconcile run', { ...summary });
  countReconcileRun(report.sender, report.drift, {
    applied: report.applied + report.queued,
    heldBack: report.heldBack,
    failed: report.failed,
  });
}
