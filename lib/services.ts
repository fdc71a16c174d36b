/**
 * The composition root: settings read and checked once per container, and every port built from them — secrets,
 * the DocSpace pool, the stores, the clock, the pipeline — handed down as values. Handlers pass `services` to their
 * door; nothing below reaches for a setting or a singleton of its own.
 */
import { DocSpaceClient, openDocSpacePool } from './docspace/client';
import { Groups } from './docspace/groups';
import { People } from './docspace/people';
import type { SenderDoorServices } from './http/senderDoor';
import { applier } from './pipeline/apply';
import { MemberLease } from './pipeline/claim';
import { pipeline, type FollowUpReport, type PipelineDeps } from './pipeline/exactlyOnce';
import { MemberDirectory } from './pipeline/member';
import { PendingWork } from './pipeline/pending';
import { secretsManager } from './secrets/secretsManager';
import { openSenderApi, senderPools, type SenderApi } from './senders/kit/api';
import { senderEntry } from './senders/registry';
import type { ScimDoorServices } from './scim/door';
import type { ScimGroups } from './scim/groups';
import type { ScimUsers } from './scim/users';
import type { CanonicalEvent } from './events';
import { uncounted } from './metrics/record';
import { systemClock } from './net/retry';
import { ConfigurationError } from './outcome';
import { planner, type Planner, type PlannerDeps } from './plan/planner';
import { ingress as queueIngress, type Ingress } from './queue/ingress';
import type { Queue } from './queue/queue';
import { sqsQueue } from './queue/sqs';
import type { ReconcileServices } from './reconcile/door';
import { parseSettings, type Settings } from './settings';
import type { EventsTable } from './store/dynamoDb';
import { lazyIdempotency, lazyKeySet, lazyRecords, once } from './store/lazy';
import type { Clock, KeySet } from './store/ports';

/** Everything the doors use. */
export interface Services extends SenderDoorServices, ScimDoorServices, ReconcileServices {
  followUp(remainingMs: () => number): Promise<FollowUpReport>;
  /** A plan session: the pipeline as composed here, over a recording DocSpace port and stores that write nothing. */
  planner: Planner;
}

/** `queue` replaces the SQS queue of queue mode (the tests' in-memory double). */
export function compose(settings: Settings, clock: Clock = systemClock, queue?: Queue): Services {
  const secrets = secretsManager(settings);
  const pool = openDocSpacePool(settings.docspaceUrl, settings.docspaceConnections);
  const senderPool = senderPools();
  const applyDeps = {
    docspaceUrl: settings.docspaceUrl,
    pool,
    secrets,
    roles: settings.roles,
    clock,
    ...(settings.reassignUserId ? { reassignUserId: settings.reassignUserId } : {}),
  };
  const apply = applier(applyDeps);
  let stores: PipelineDeps['stores'];
  let readOnly: PlannerDeps['stores'];
  /** SCIM's users and groups, built (and their code evaluated) on first use: most functions never serve SCIM. */
  let scim: (() => Promise<{ users: ScimUsers; groups: ScimGroups }>) | undefined;
  if (settings.eventsTable) {
    // Loaded on first use (store/lazy.ts): an invocation that does not touch the table never loads its client.
    const { eventsTable, idempotencyTtlSeconds, idempotencyKeyPrefix, idempotencyLegacyPrefixes } = settings;
    const table = once(async (): Promise<EventsTable> => (await import('./store/dynamoDb')).openEventsTable(eventsTable, idempotencyTtlSeconds, { prefix: idempotencyKeyPrefix, legacyPrefixes: idempotencyLegacyPrefixes }, clock));
    const records = lazyRecords(async () => (await table()).records);
    const keySet = (itemId: string): KeySet => lazyKeySet(async () => (await table()).keySet(itemId));
    const idempotency = lazyIdempotency(async () => (await table()).idempotency);
    const pendingMembers = keySet('pending#members');
    stores = {
      idempotency,
      lease: new MemberLease(records, clock),
      directory: new MemberDirectory(records),
      pending: new PendingWork(records, pendingMembers, clock),
    };
    readOnly = { records, pendingMembers, idempotency };
    const scimDeps = { records, keySet, directory: stores.directory, roles: settings.roles, deleteMode: settings.scimDelete, groupTypes: settings.scimGroupTypes, clock };
    scim = once(async () => (await import('./scim/compose')).openScim({ ...scimDeps, process: (e, c) => process(e, c) }));
  }
  const { process, followUp } = pipeline({ apply, clock, roles: settings.roles, pendingExpiryMs: settings.idempotencyTtlSeconds * 1000, ...(stores ? { stores } : {}) });
  // DocSpace's People and Groups for one invocation, with its request count: SCIM's reads, the follow-ups' group
  // offers, reconcile's member pages.
  const docspaceReads = (remainingMs: () => number) => {
    const client = new DocSpaceClient({ baseUrl: settings.docspaceUrl, pool, apiKey: (refresh) => secrets.docspaceApiKey(refresh), remainingMs, clock });
    return {
      people: new People(client),
      groups: new Groups(client),
      get calls() {
        return client.calls;
      },
    };
  };
  // Queue mode: the webhook doors enqueue. The queue's settings and the events table are checked where an event is
  // enqueued (a direct invocation applies at once and needs neither).
  let ingress: Ingress | undefined;
  if (settings.deliveryMode === 'queue') {
    // The client honours AWS_ENDPOINT_URL_SQS, so tests and `npm start` reach the local SQS.
    ingress = queueIngress(queue ?? sqsQueue(settings), stores?.directory, settings.roles);
  }

  return {
    secrets,
    process,
    dryRun: settings.dryRun,
    planner: planner({ apply: applyDeps, clock, roles: settings.roles, pendingExpiryMs: settings.idempotencyTtlSeconds * 1000, ...(readOnly ? { stores: readOnly } : {}) }),
    // A DRY_RUN stage plans at the door: nothing is queued.
    ...(ingress && !settings.dryRun ? { ingress } : {}),
    async followUp(remainingMs) {
      // A DRY_RUN stage applies nothing, not even work kept before it became one.
      if (settings.dryRun) return { done: 0, remaining: 0, waiting: 0 };
      const report = await followUp(remainingMs);
      if (!scim) return report;
      // Members of SCIM groups who could not join (Guests, disabled) are offered again once eligible.
      const ports = docspaceReads(remainingMs);
      const groups = await (await scim()).groups.offerPending(ports.groups, remainingMs);
      return groups.joined || groups.waiting ? { ...report, groupMembersJoined: groups.joined, groupMembersWaiting: groups.waiting } : report;
    },
    async scimUsers() {
      if (!scim) throw new ConfigurationError('SCIM keeps its users in the events table: set IDEMPOTENCY_TABLE');
      return (await scim()).users;
    },
    async scimGroups() {
      if (!scim) throw new ConfigurationError('SCIM keeps its groups in the events table: set IDEMPOTENCY_TABLE');
      return (await scim()).groups;
    },
    now: () => clock.now(),
    docspaceReads,
    senderContext(sender) {
      const entry = senderEntry(sender);
      let api: Promise<SenderApi> | undefined;
      let opened: SenderApi | undefined;
      return {
        sender,
        mapping: settings.mappings[sender],
        roles: settings.roles,
        options: settings.senders[sender].options,
        api: () =>
          (api ??= openSenderApi({
            sender,
            access: entry.adapter.api,
            baseUrl: settings.senders[sender].apiUrl,
            urlSetting: entry.apiUrl.setting,
            credentials: () => secrets.senderCredentials(sender),
            pools: senderPool,
            clock,
          }).then((client) => (opened = client))),
        get apiCalls() {
          return opened?.calls ?? 0;
        },
      };
    },
    async reconcile(sender, request, context) {
      if (!stores || !readOnly) throw new ConfigurationError('reconciliation keeps its cursor and the ownership records in the events table: set IDEMPOTENCY_TABLE');
      // Loaded here, on first use: only the reconcile function runs it.
      const [{ isUnfinished, reconcile }, { recordCursorStore }] = await Promise.all([import('./reconcile/run'), import('./reconcile/cursor')]);
      const { resumeOnly, dryRun, ...runRequest } = request;
      if (resumeOnly && !isUnfinished(await recordCursorStore(readOnly.records, clock).get(sender), clock.now())) return undefined;
      const remainingMs = () => context.getRemainingTimeInMillis();
      const reads = docspaceReads(remainingMs);
      const senderCtx = this.senderContext(sender);
      // A plan (--dry-run, a DRY_RUN stage): the drift goes to a plan session, and the run's own records (matched
      // members' ownership, the cursor) to the session's view of the table, so the plan stores nothing.
      const session = dryRun === true || settings.dryRun ? this.planner() : undefined;
      const records = session?.records ?? readOnly.records;
      const directory = session ? new MemberDirectory(records) : stores.directory;
      const submit = session
        ? { kind: 'pipeline' as const, process: (event: CanonicalEvent) => session.process(event, context) }
        : ingress
          ? { kind: 'queue' as const, enqueue: (events: readonly CanonicalEvent[]) => ingress.enqueue(events, context), process: (event: CanonicalEvent) => process(event, context) }
          : { kind: 'pipeline' as const, process: (event: CanonicalEvent) => process(event, context) };
      const run = () =>
        reconcile(
          {
            sender,
            context: senderCtx,
            roster: (left) => senderEntry(sender).adapter.roster(senderCtx, left),
            people: reads.people,
            owners: { ownersOf: (emails) => directory.ownersOf(emails), claim: (email, userId, owner, now) => directory.remember(email, userId, owner, 'matched', now) },
            cursor: recordCursorStore(records, clock),
            submit,
            clock,
            threshold: settings.reconcileThreshold,
            remainingMs,
            docspaceCalls: () => reads.calls,
          },
          runRequest,
        );
      // A plan's drift did not happen: it is logged, not counted in the metrics.
      return session ? { ...(await uncounted(run)), dryRun: true, plan: session.answer() } : run();
    },
  };
}

let built: Services | undefined;

/** This container's services, composed from its environment on first use (a bad setting fails every invocation). */
export function services(): Services {
  built ??= compose(parseSettings(process.env));
  return built;
}
