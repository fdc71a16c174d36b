/**
 * The drift between a sender's roster and DocSpace, for the members this sender manages (the ownership record), as
 * canonical events built by the same code the webhooks use (`eventsFor`: names, mapped contacts, a role the role map
 * knows), so a person maps the same way by both paths. Pure: no I/O, no clock.
 *
 * Who is considered:
 * - a roster person missing from DocSpace (and active in the roster) → `missing` (user.created);
 * - a roster person in DocSpace managed by this sender, or managed by nobody (then matched: managed by this sender
 *   from now on) → `type`, `contacts`, `deactivate` (inactive in the roster), `reactivate` (active in the roster,
 *   disabled in DocSpace);
 * - a member managed by this sender whom the roster no longer lists → `deactivate`;
 * - left alone: the portal owner (`isOwner`), members managed by another sender or by SCIM, and members nobody
 *   manages whom the roster does not list (invited or added by hand).
 */
import { createHash } from 'node:crypto';
import type { Profile } from '../docspace/types';
import { MemberStatus, privilegeOf, userTypeName, userTypeOf } from '../docspace/types';
import type { CanonicalEvent } from '../events';
import type { Ownership } from '../pipeline/member';
import { reconcileSource } from '../pipeline/member';
import { userTypeForRole } from '../roles';
import type { RosterPerson, SenderContext } from '../senders/kit/adapter';
import { contactsOf, eventsFor, roleOf, type ChangeKind } from '../senders/kit/translate';
import { mergeContacts } from '../sync/contacts';

export const DRIFT_KINDS = ['missing', 'reactivate', 'type', 'contacts', 'deactivate'] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

const CHANGE_OF: Record<DriftKind, ChangeKind> = {
  missing: 'created',
  reactivate: 'reactivated',
  type: 'role',
  contacts: 'contacts',
  deactivate: 'deactivated',
};

export interface DriftItem {
  kind: DriftKind;
  email: string;
  /** The DocSpace member, when there is one. */
  userId?: string;
  /** What differs, for the report (types and counts, never a contact value). */
  detail: string;
  /** A disable or a downgrade: held back when the run crosses the safety threshold. */
  destructive: boolean;
  event: CanonicalEvent;
}

export interface Drift {
  items: DriftItem[];
  /** Members nobody managed whom the roster lists: managed by this sender from this run on. */
  matched: { email: string; userId: string }[];
  /** DocSpace members this sender manages (matched ones included): the base of the threshold's percentage. */
  managed: number;
  /** Left alone, by reason, and roster records that could not be used. */
  skipped: { owner: number; otherManager: number; unmanaged: number; noEmail: number; duplicateEmail: number; unknownRole: number };
}

export interface DriftInput {
  sender: string;
  context: SenderContext;
  roster: readonly RosterPerson[];
  members: readonly Profile[];
  owners: ReadonlyMap<string, Ownership>;
  /** The run's id (deterministic event ids: a resumed run gets the same ids, a new run new ones) and start time. */
  runId: string;
  occurredAt: string;
  /** false when the server cannot change contacts (v3.2.1+): contacts are not compared. */
  contacts: boolean;
}

const lower = (email: string) => email.trim().toLowerCase();
const digest = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 24);

/**
 * The event for one kind of drift of one person, from the shared translation: source `reconcile:<sender>`, an id
 * of the run, the person and the event's data (so a roster that changed between two chunks of one run gives a new
 * id, never "the same id with other data").
 */
function eventFor(input: DriftInput, kind: DriftKind, person: RosterPerson): CanonicalEvent | undefined {
  const translation = eventsFor(input.context, [CHANGE_OF[kind]], person, { id: 'reconcile', occurredAt: input.occurredAt }, person.role);
  const event = translation.events[0];
  if (!event) return undefined;
  const id = `reconcile:${input.sender}:${input.runId}:${kind}:${digest(JSON.stringify([event.type, event.data]))}`;
  return { ...event, id, source: reconcileSource(input.sender) };
}

/** A person's (or a gone member's) deactivation, which needs the e-mail only. */
function deactivation(input: DriftInput, email: string, userId: string): DriftItem {
  const data = { email };
  return {
    kind: 'deactivate',
    email,
    userId,
    detail: 'active in DocSpace, gone from the roster',
    destructive: true,
    event: {
      id: `reconcile:${input.sender}:${input.runId}:deactivate:${digest(JSON.stringify(['user.deactivated', data]))}`,
      type: 'user.deactivated',
      occurredAt: input.occurredAt,
      source: reconcileSource(input.sender),
      data,
    },
  };
}

export function driftOf(input: DriftInput): Drift {
  const { sender, context, roster, members, owners } = input;
  const drift: Drift = {
    items: [],
    matched: [],
    managed: 0,
    skipped: { owner: 0, otherManager: 0, unmanaged: 0, noEmail: 0, duplicateEmail: 0, unknownRole: 0 },
  };
  const byEmail = new Map<string, Profile>();
  for (const member of members) {
    if (!member.email) continue;
    const email = lower(member.email);
    // Two members of one address (a lost create race): the first listed is the one the sync rules find.
    if (!byEmail.has(email)) byEmail.set(email, member);
  }
  const listed = new Set<string>();
  const add = (kind: DriftKind, person: RosterPerson, email: string, detail: string, destructive: boolean, userId?: string) => {
    const event = eventFor(input, kind, person);
    if (event) drift.items.push({ kind, email, ...(userId ? { userId } : {}), detail, destructive, event });
  };

  for (const person of roster) {
    if (!person.email?.trim()) {
      drift.skipped.noEmail += 1;
      continue;
    }
    const email = lower(person.email);
    if (listed.has(email)) {
      drift.skipped.duplicateEmail += 1;
      continue;
    }
    listed.add(email);
    const member = byEmail.get(email);
    const owner = owners.get(email);
    if (member?.isOwner) {
      drift.skipped.owner += 1;
      continue;
    }
    if (owner && owner.managedBy !== sender) {
      drift.skipped.otherManager += 1;
      continue;
    }
    const { role, unknown } = roleOf(context, person, person.role);
    if (unknown && person.active) drift.skipped.unknownRole += 1;
    if (!member) {
      if (person.active)
        add(
          'missing',
          person,
          email,
          unknown
            ? `in the roster, not in DocSpace (role "${unknown}" not in ROLE_MAP: created as User)`
            : 'in the roster, not in DocSpace',
          false,
        );
      continue;
    }
    if (!owner && !person.active) {
      // Someone nobody manages, whom the roster lists as gone: invited by hand since (a contractor re-engaged under
      // the same address, say). Reconcile never claims a member only to disable them.
      drift.skipped.unmanaged += 1;
      continue;
    }
    if (!owner) drift.matched.push({ email, userId: member.id });
    drift.managed += 1;
    const disabled = member.status === MemberStatus.Disabled;
    if (!person.active) {
      if (!disabled) add('deactivate', person, email, 'inactive in the roster, active in DocSpace', true, member.id);
      continue;
    }
    if (disabled) add('reactivate', person, email, 'active in the roster, disabled in DocSpace', false, member.id);
    const wanted = role === undefined ? undefined : userTypeForRole(context.roles, role);
    const current = userTypeOf(member);
    if (wanted !== undefined && wanted !== current) {
      add(
        'type',
        person,
        email,
        `${userTypeName(current)} → ${userTypeName(wanted)}`,
        privilegeOf(wanted) < privilegeOf(current),
        member.id,
      );
    }
    if (input.contacts) {
      const merge = mergeContacts(member.contacts ?? [], contactsOf(context, person));
      if (merge.changed)
        add('contacts', person, email, `${(member.contacts ?? []).length} → ${merge.contacts.length} contact(s)`, false, member.id);
    }
  }

  // Members this sender manages whom the roster no longer lists.
  for (const [email, member] of byEmail) {
    if (listed.has(email) || member.isOwner) continue;
    const owner = owners.get(email);
    if (!owner) {
      drift.skipped.unmanaged += 1;
      continue;
    }
    if (owner.managedBy !== sender) {
      drift.skipped.otherManager += 1;
      continue;
    }
    drift.managed += 1;
    if (member.status !== MemberStatus.Disabled) drift.items.push(deactivation(input, email, member.id));
  }

  // One member's changes in a fixed order (enabled before retyped, created before anything else), members by e-mail.
  const rank = (kind: DriftKind) => DRIFT_KINDS.indexOf(kind);
  drift.items.sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : rank(a.kind) - rank(b.kind)));
  return drift;
}
