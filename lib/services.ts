/**
 * The composition root: settings read and checked once per container, and every port built from them — secrets,
 * DocSpace, the stores, the clock, the pipeline — handed down as values. Handlers pass `services` to their door;
 * nothing below reaches for a setting or a singleton of its own. It composes and nothing more: what a door does with
 * the ports is the door's (reconcile/compose.ts, scim/compose.ts, schedule/followUp.ts).
 */
import { DocSpaceClient, openDocSpacePool } from './docspace/client';
import { docspacePorts, type DocSpaceFor } from './docspace/ports';
import type { SenderDoorServices } from './http/senderDoor';
import { applier, type ApplyDeps } from './pipeline/apply';
import { memberStores, pipeline } from './pipeline/exactlyOnce';
import { secretsManager } from './secrets/secretsManager';
import { senderPools } from './senders/kit/api';
import { senderContext } from './senders/context';
import type { Sender } from './senders/registry';
import type { ScimDoorServices } from './scim/door';
import { systemClock } from './net/retry';
import { planner, type Planner } from './plan/planner';
import { ingress as queueIngress } from './queue/ingress';
import type { Queue } from './queue/queue';
import { sqsQueue } from './queue/sqs';
import type { WorkerServices } from './queue/worker';
import type { ReconcileServices } from './reconcile/door';
import { followUps, type FollowUpServices } from './schedule/followUp';
import { parseSettings, type Settings } from './settings';
import { lazyEventsTable, once } from './store/lazy';
import type { Clock } from './store/ports';

/** Everything the doors use. */
export interface Services extends SenderDoorServices, ScimDoorServices, ReconcileServices, FollowUpServices, WorkerServices {
  /** A plan session: the pipeline as composed here, over a recording DocSpace port and stores that write nothing. */
  planner: Planner;
}

/** `queue` replaces the SQS queue of queue mode (the tests' in-memory double). */
export function compose(settings: Settings, clock: Clock = systemClock, queue?: Queue): Services {
  const secrets = secretsManager(settings);
  const pool = openDocSpacePool(settings.docspaceUrl, settings.docspaceConnections);
  // A DocSpace client for one invocation (one event applied, one SCIM request, one run), over the container's pool.
  const client = (remainingMs: () => number) =>
    new DocSpaceClient({ baseUrl: settings.docspaceUrl, pool, apiKey: (refresh) => secrets.docspaceApiKey(refresh), remainingMs, clock });
  // DocSpace's People and Groups for one invocation, with its request count: for the doors that call DocSpace
  // themselves (SCIM's reads and writes, the follow-ups' group offers, reconcile's member pages, preflight's probe).
  const docspaceFor: DocSpaceFor = (remainingMs) => docspacePorts(client(remainingMs));

  // The events table, loaded on first use (store/lazy.ts): an invocation that does not touch it never loads its client.
  const { eventsTable, idempotencyTtlSeconds, idempotencyKeyPrefix, idempotencyLegacyPrefixes } = settings;
  const table = eventsTable
    ? lazyEventsTable(async () =>
        (await import('./store/dynamoDb')).openEventsTable(
          eventsTable,
          idempotencyTtlSeconds,
          { prefix: idempotencyKeyPrefix, legacyPrefixes: idempotencyLegacyPrefixes },
          clock,
        ),
      )
    : undefined;
  const pipelineTable = table && {
    records: table.records,
    pendingMembers: table.keySet('pending#members'),
    idempotency: table.idempotency,
  };
  const stores = pipelineTable && memberStores(pipelineTable, clock);

  const apply: ApplyDeps = {
    client,
    roles: settings.roles,
    clock,
    ...(settings.reassignUserId ? { reassignUserId: settings.reassignUserId } : {}),
  };
  const rules = { clock, roles: settings.roles, pendingExpiryMs: idempotencyTtlSeconds * 1000 };
  const { process, followUp } = pipeline({ ...rules, apply: applier(apply), ...(stores ? { stores } : {}) });
  const plan = planner({ ...rules, apply, ...(pipelineTable ? { table: pipelineTable } : {}) });

  // Queue mode: the webhook doors enqueue. The queue's settings and the events table are checked where an event is
  // enqueued (a direct invocation applies at once and needs neither). The client honours AWS_ENDPOINT_URL_SQS.
  const ingress =
    settings.deliveryMode === 'queue' ? queueIngress(queue ?? sqsQueue(settings), stores?.directory, settings.roles) : undefined;

  // SCIM's users and groups, built (and their code evaluated) on first use: most functions never serve SCIM.
  const scim =
    table && stores
      ? once(async () =>
          (await import('./scim/compose')).openScim({
            records: table.records,
            keySet: table.keySet,
            directory: stores.directory,
            process,
            roles: settings.roles,
            deleteMode: settings.scimDelete,
            groupTypes: settings.scimGroupTypes,
            clock,
            docspace: docspaceFor,
          }),
        )
      : undefined;

  const senderPool = senderPools();
  const contextOf = (sender: Sender) =>
    senderContext(sender, {
      ...settings.senders[sender],
      mapping: settings.mappings[sender],
      roles: settings.roles,
      credentials: () => secrets.senderCredentials(sender),
      pools: senderPool,
      clock,
    });

  // Reconciliation's run, loaded on first use: only the reconcile function runs it.
  const reconciler = once(async () =>
    (await import('./reconcile/compose')).reconciler({
      ...(table && stores ? { table: { records: table.records, directory: stores.directory } } : {}),
      process,
      ...(ingress ? { ingress } : {}),
      planner: plan,
      docspace: docspaceFor,
      senderContext: contextOf,
      clock,
      threshold: settings.reconcileThreshold,
      dryRun: settings.dryRun,
    }),
  );

  return {
    secrets,
    process,
    dryRun: settings.dryRun,
    planner: plan,
    // A DRY_RUN stage plans at the door: nothing is queued.
    ...(ingress && !settings.dryRun ? { ingress } : {}),
    followUp: followUps({ dryRun: settings.dryRun, keptWork: followUp, ...(scim ? { groupOffers: scim } : {}) }),
    ...(scim ? { scim } : {}),
    now: () => clock.now(),
    docspaceFor,
    senderContext: contextOf,
    reconcile: async (sender, request, context) => (await reconciler())(sender, request, context),
  };
}

let built: Services | undefined;

/** This container's services, composed from its environment on first use (a bad setting fails every invocation). */
export function services(): Services {
  built ??= compose(parseSettings(process.env));
  return built;
}
