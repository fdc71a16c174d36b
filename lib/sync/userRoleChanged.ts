import { setTimeout as wait } from 'node:timers/promises';
import { MemberStatus, privilegeOf, UserType, userTypeName, userTypeOf, type TaskProgress } from '../docspace/types';
import type { UserRoleChangedEvent } from '../events';
import { DocSpaceError } from '../docspace/errors';
import { RefusedEvent, type SyncResult } from '../outcome';
import type { SyncDeps } from './deps';
import { findMember, notFoundMessage } from './findMember';
import { typeForRoleOrRefuse } from '../roles';

const POLL_INTERVAL_MS = 500;
/** Time kept back to answer after the last poll. */
const ANSWER_MARGIN_MS = 1_500;

/**
 * user.role_changed: a role is a DocSpace user type. The current type is read first because the type routes are
 * not idempotent (the same type again is a 403). Upgrades are one synchronous call; downgrades to User or Guest run
 * as a server task that hands the member's rooms to another user, polled while the function has time.
 */
export async function syncUserRoleChanged(event: UserRoleChangedEvent, deps: SyncDeps): Promise<SyncResult> {
  const target = typeForRoleOrRefuse(deps.roles, event.data.role);
  let member = await findMember(deps.people, event.data);
  if (!member) return { outcome: 'not_found', message: notFoundMessage(event.data) };
  // Both type routes refuse a disabled target (the synchronous one with 403, the asynchronous one with 400): the
  // change waits until the member is enabled again.
  if (member.status === MemberStatus.Disabled) {
    return {
      outcome: 'deferred',
      userId: member.id,
      message: `the member is disabled; ${userTypeName(target)} is applied when they are enabled again`,
    };
  }

  if (deps.resumeTypeChange) {
    // This event's downgrade was still running when it was last answered: wait for that task, never start another.
    const first = await taskProgress(member.id, deps);
    if (first) {
      const progress = await followTypeChange(member.id, first, deps);
      if (progress.error) throw new RefusedEvent('failed', `DocSpace could not change the type: ${progress.error}`);
      if (!progress.isCompleted)
        return { outcome: 'in_progress', userId: member.id, message: "DocSpace is still reassigning the member's data" };
    }
    member = (await findMember(deps.people, event.data)) ?? member;
  }

  const current = userTypeOf(member);
  const moved = `${userTypeName(current)} → ${userTypeName(target)}`;
  if (current === target) return { outcome: 'unchanged', userId: member.id, message: `already ${userTypeName(target)}` };

  // DocSpaceAdmin → RoomAdmin is a downgrade, yet the server only does it on the synchronous route (owner's key).
  if (privilegeOf(target) > privilegeOf(current) || target === UserType.RoomAdmin) {
    await deps.people.upgradeType(member.id, target);
    return { outcome: 'updated', userId: member.id, message: moved };
  }

  const downgradeTo = target as typeof UserType.User | typeof UserType.Guest;
  const started = await deps.people.startTypeDowngrade(member.id, downgradeTo, deps.reassignUserId);
  const progress = await followTypeChange(member.id, started, deps);
  if (progress.error) {
    throw new RefusedEvent('failed', `DocSpace could not change the type (${moved}): ${progress.error}`);
  }
  if (!progress.isCompleted) {
    return { outcome: 'in_progress', userId: member.id, message: `${moved} started; DocSpace is still reassigning the member's data` };
  }
  return { outcome: 'updated', userId: member.id, message: moved };
}

/**
 * Polls a type-change task until it completes or the function must answer. Once DocSpace runs the task it finishes
 * whatever we do, so a poll that fails is not a failure of the change: the task is reported still running, and the
 * member stays held until it is followed again (a newer type change must not land before it).
 */
async function followTypeChange(userId: string, first: TaskProgress, deps: SyncDeps): Promise<TaskProgress> {
  const sleep = deps.sleep ?? wait;
  let progress = first;
  while (!progress.isCompleted && deps.remainingMs() > POLL_INTERVAL_MS + ANSWER_MARGIN_MS) {
    await sleep(POLL_INTERVAL_MS);
    try {
      progress = await deps.people.typeChangeProgress(userId);
    } catch (error) {
      if (error instanceof DocSpaceError && error.retryable) return progress;
      throw error;
    }
  }
  return progress;
}

/** The progress of the member's running task; undefined when DocSpace knows of none (it finished long ago). */
async function taskProgress(userId: string, deps: SyncDeps): Promise<TaskProgress | undefined> {
  try {
    return await deps.people.typeChangeProgress(userId);
  } catch (error) {
    if (error instanceof DocSpaceError && error.notFound) return undefined;
    if (error instanceof DocSpaceError && error.retryable) return { isCompleted: false };
    throw error;
  }
}
