/**
 * A reconcile run over the ports the composition root built: where the drift goes (the pipeline; the queue in queue
 * mode; a plan session for a dry run or a DRY_RUN stage), where the run keeps its own records (the ownership of the
 * members it matches, its cursor: the events table, or the plan's view of it), DocSpace's member pages and the
 * sender's roster. The composition root imports this module on first use only: only the reconcile function runs it.
 */
import type { Context } from 'aws-lambda';
import type { DocSpaceFor } from '../docspace/ports';
import type { CanonicalEvent } from '../events';
import { uncounted } from '../metrics/record';
import { ConfigurationError } from '../outcome';
import type { ProcessEvent } from '../pipeline/exactlyOnce';
import { MemberDirectory } from '../pipeline/member';
import type { Planner } from '../plan/planner';
import type { Ingress } from '../queue/ingress';
import { senderEntry, type Sender } from '../senders/registry';
import type { Clock, RecordStore } from '../store/ports';
import { recordCursorStore } from './cursor';
import type { ReconcileServices } from './door';
import { isUnfinished, reconcile, type ReconcileDeps } from './run';

interface ReconcilePorts {
  /** The events table's records and the member directory over them; absent without an events table. */
  table?: { records: RecordStore; directory: MemberDirectory };
  process: ProcessEvent;
  /** Queue mode: the drift is queued for the worker. */
  ingress?: Ingress;
  planner: Planner;
  docspace: DocSpaceFor;
  senderContext(sender: Sender): ReconcileDeps['context'];
  clock: Clock;
  threshold: ReconcileDeps['threshold'];
  /** A DRY_RUN stage: every run is a plan. */
  dryRun: boolean;
}

export function reconciler(ports: ReconcilePorts): ReconcileServices['reconcile'] {
  const { table, clock } = ports;
  return async (sender, request, context: Context) => {
    if (!table)
      throw new ConfigurationError('reconciliation keeps its cursor and the ownership records in the events table: set IDEMPOTENCY_TABLE');
    const { resumeOnly, dryRun, ...runRequest } = request;
    if (resumeOnly && !isUnfinished(await recordCursorStore(table.records, clock).get(sender), clock.now())) return undefined;
    const remainingMs = () => context.getRemainingTimeInMillis();
    const docspace = ports.docspace(remainingMs);
    const senderContext = ports.senderContext(sender);
    // A plan (--dry-run, a DRY_RUN stage): the drift goes to a plan session, and the run's own records (matched
    // members' ownership, the cursor) to the session's view of the table, so the plan stores nothing.
    const session = dryRun === true || ports.dryRun ? ports.planner() : undefined;
    const records = session?.records ?? table.records;
    const directory = session ? new MemberDirectory(records) : table.directory;
    const { ingress, process } = ports;
    const submit: ReconcileDeps['submit'] = session
      ? { kind: 'pipeline', process: (event: CanonicalEvent) => session.process(event, context) }
      : ingress
        ? {
            kind: 'queue',
            enqueue: (events: readonly CanonicalEvent[]) => ingress.enqueue(events, context),
            process: (event: CanonicalEvent) => process(event, context),
          }
        : { kind: 'pipeline', process: (event: CanonicalEvent) => process(event, context) };
    const run = () =>
      reconcile(
        {
          sender,
          context: senderContext,
          roster: (left) => senderEntry(sender).adapter.roster(senderContext, left),
          people: docspace.people,
          owners: {
            ownersOf: (emails) => directory.ownersOf(emails),
            claim: (email, userId, owner, now) => directory.remember(email, userId, owner, 'matched', now),
          },
          cursor: recordCursorStore(records, clock),
          submit,
          clock,
          threshold: ports.threshold,
          remainingMs,
          docspaceCalls: () => docspace.calls,
        },
        runRequest,
      );
    // A plan's drift did not happen: it is logged, not counted in the metrics.
    return session ? { ...(await uncounted(run)), dryRun: true, plan: session.answer() } : run();
  };
}
