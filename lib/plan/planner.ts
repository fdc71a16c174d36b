/**
 * Plan mode: the pipeline composed as for a real run — the same idempotency, claims, marks, parking and sync
 * rules — over a DocSpace port that records the writes (recorder.ts) and stores that keep every write in memory
 * (stores.ts). A plan session takes canonical events in order, as a real run would apply them, and answers with the
 * writes DocSpace would get, in order, and what would become of each event. Nothing is written anywhere.
 */
import type { Context } from 'aws-lambda';
import type { CanonicalEvent } from '../events';
import { emailHash, logger, maskEmails } from '../log';
import { uncounted } from '../metrics/record';
import { answerFor, isRetryable, type Answer } from '../outcome';
import { applier, type ApplyDeps } from '../pipeline/apply';
import { memberStores, pipeline, type PipelineDeps, type PipelineTable, type ProcessEvent } from '../pipeline/exactlyOnce';
import type { RecordStore } from '../store/ports';
import { PlanRecorder, type PlannedWrite } from './recorder';
import { copyOnWriteKeySet, copyOnWriteRecords, planIdempotency } from './stores';

/** What would become of one event: its outcome as the real run would answer it, and the writes it would make. */
interface PlannedEvent extends Answer {
  eventId: string;
  type: string;
  /** Positions in `plan` of the writes this event would make (those of parked work it would release included). */
  writes: number[];
}

/** The answer of every door in plan mode. */
export interface PlanAnswer extends Answer {
  outcome: 'planned';
  /** The DocSpace writes, in order; `{{member:N}}` names a member the plan would create (see `creates`). */
  plan: PlannedWrite[];
  outcomes: PlannedEvent[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

export interface PlanSession {
  /** Plans one event after those before it; answers (or throws) as the real pipeline would. */
  process: ProcessEvent;
  /** The plan's view of the events table: reads from it, writes kept in memory (for a caller's own records, a cursor). */
  records?: RecordStore;
  /** The plan so far. */
  answer(): PlanAnswer;
  /** A failure that may pass (DocSpace unavailable) stopped an event: the plan is incomplete, and the seconds to wait. */
  unfinished(): { retryAfterSeconds: number } | undefined;
}

/** What the real pipeline is composed of: the same rules over the same DocSpace, and its table, read only. */
export interface PlannerDeps extends Omit<PipelineDeps, 'apply' | 'stores'> {
  apply: ApplyDeps;
  /** The real pipeline's table, read and never written; absent without an events table (as the real pipeline then runs). */
  table?: PipelineTable;
}

export type Planner = () => PlanSession;

export function planner(deps: PlannerDeps): Planner {
  return () => {
    const recorder = new PlanRecorder();
    const { apply, table, ...rules } = deps;
    const records = table ? copyOnWriteRecords(table.records) : undefined;
    const stores =
      table && records
        ? memberStores(
            { records, pendingMembers: copyOnWriteKeySet(table.pendingMembers), idempotency: planIdempotency(table.idempotency) },
            deps.clock,
          )
        : undefined;
    const planned = pipeline({
      ...rules,
      apply: applier({ ...apply, port: (client) => recorder.port(client) }),
      ...(stores ? { stores } : {}),
    });
    const outcomes: PlannedEvent[] = [];
    let retryAfter: number | undefined;

    const process = async (event: CanonicalEvent, context: Context) => {
      // Every line logged while planning says so: "pending event finished" in a plan finished nothing.
      logger.appendKeys({ dryRun: true });
      const first = recorder.writes.length;
      const done = (answer: Answer) => {
        const writes = recorder.writes.slice(first);
        outcomes.push({ eventId: event.id, type: event.type, ...answer, writes: writes.map((_, i) => first + i) });
        logger.info('event planned', {
          eventId: event.id,
          eventType: event.type,
          outcome: answer.outcome,
          ...(event.data.email ? { emailHash: emailHash(event.data.email) } : {}),
          // Which writes, not what they carry: the bodies hold names and phone numbers (the answer has them in full).
          writes: writes.map(({ method, path, body, creates }) => ({
            method,
            path: maskEmails(path),
            ...(isObject(body) ? { fields: Object.keys(body) } : {}),
            ...(creates ? { creates } : {}),
          })),
        });
      };
      try {
        // Counted as nothing: the door counts the plan (`planned`); its events' outcomes did not happen.
        const result = await uncounted(() => planned.process(event, context));
        done(result);
        return result;
      } catch (error) {
        const failed = answerFor(error);
        done(failed.answer);
        if (isRetryable(failed.answer.outcome)) retryAfter = Math.max(retryAfter ?? 0, failed.retryAfterSeconds ?? 30);
        throw error;
      }
    };

    return {
      process,
      ...(records ? { records } : {}),
      answer: () => ({ outcome: 'planned', plan: [...recorder.writes], outcomes: [...outcomes] }),
      unfinished: () => (retryAfter === undefined ? undefined : { retryAfterSeconds: retryAfter }),
    };
  };
}

/** Plans the events in order, each after those before it (what reconcile's --dry-run and replay's need). */
export async function planEvents(session: PlanSession, events: readonly CanonicalEvent[], context: Context): Promise<PlanAnswer> {
  for (const event of events) {
    try {
      await session.process(event, context);
    } catch {
      // Recorded in the session's outcomes; the next event is planned all the same.
    }
  }
  return session.answer();
}
