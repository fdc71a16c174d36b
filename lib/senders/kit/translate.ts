/**
 * From a sender's record to canonical events, shared by every adapter: which kinds of change a delivery implies is
 * the adapter's call; what each kind carries (names, mapped contacts, a role the role map knows) is decided here once.
 */
import type { CanonicalEvent, Contact } from '../../events';
import { userTypeForRole } from '../../roles';
import type { SenderContext, SenderPerson, Translation } from './adapter';

export type ChangeKind = 'created' | 'role' | 'contacts' | 'deactivated' | 'reactivated';

export interface Occurrence {
  /** Unique per delivery item; each canonical event's id is this plus its kind. */
  id: string;
  occurredAt: string;
}

const present = (v: string | undefined): v is string => v !== undefined && v.trim() !== '';

/** The mapped contacts of a person; an empty source field becomes an empty value, which removes that type. */
export function contactsOf(context: SenderContext, person: SenderPerson): Contact[] {
  return Object.entries(context.mapping.contacts)
    .filter(([field]) => field in person.fields)
    .map(([field, type]) => ({ type, value: (person.fields[field] ?? '').trim() }));
}

/** The role a person's record names, when the role map knows it. */
export function roleOf(context: SenderContext, person: SenderPerson, explicitRole?: string): { role?: string; unknown?: string } {
  const role = explicitRole ?? person.fields[context.mapping.roleField];
  if (!present(role)) return {};
  return userTypeForRole(context.roles, role) === undefined ? { unknown: role } : { role };
}

export function eventsFor(
  context: SenderContext,
  kinds: Iterable<ChangeKind>,
  person: SenderPerson,
  at: Occurrence,
  explicitRole?: string,
): Translation {
  const out: Translation = { events: [], ignored: [] };
  const who = `${context.sender} ${person.senderId}`;
  if (!present(person.email)) {
    out.ignored.push(`${who}: the record has no e-mail to find the DocSpace member by`);
    return out;
  }
  const email = person.email.trim().toLowerCase();
  const base = (kind: ChangeKind) => ({ id: `${at.id}:${kind}`, occurredAt: at.occurredAt, source: context.sender });
  const contacts = contactsOf(context, person);
  const { role, unknown } = roleOf(context, person, explicitRole);

  for (const kind of new Set(kinds)) {
    switch (kind) {
      case 'created':
        if (!present(person.firstName) || !present(person.lastName)) {
          out.ignored.push(`${who}: no first and last name, cannot create the member`);
          break;
        }
        out.events.push({
          ...base(kind),
          type: 'user.created',
          data: {
            email,
            firstName: person.firstName.trim(),
            lastName: person.lastName.trim(),
            ...(role ? { role } : {}),
            ...(contacts.some((c) => c.value) ? { contacts: contacts.filter((c) => c.value) } : {}),
          },
        } satisfies CanonicalEvent);
        break;
      case 'role':
        if (role) out.events.push({ ...base(kind), type: 'user.role_changed', data: { email, role } });
        else out.ignored.push(unknown ? `${who}: role "${unknown}" is not in ROLE_MAP` : `${who}: the record names no role`);
        break;
      case 'contacts':
        if (contacts.length > 0) out.events.push({ ...base(kind), type: 'user.contact_updated', data: { email, contacts } });
        else out.ignored.push(`${who}: no mapped contact fields`);
        break;
      case 'deactivated':
      case 'reactivated':
        out.events.push({ ...base(kind), type: kind === 'deactivated' ? 'user.deactivated' : 'user.reactivated', data: { email } });
        break;
    }
  }
  return out;
}

export function mergeTranslations(parts: Translation[]): Translation {
  return { events: parts.flatMap((p) => p.events), ignored: parts.flatMap((p) => p.ignored) };
}
