/**
 * The contact merge rule. DocSpace only ever replaces the whole list, so "merge" happens here: an incoming
 * contact replaces every contact of the same type (types compared case-insensitively), an empty value removes the
 * type, and types the event does not mention stay as they are.
 */
import type { Contact } from '../events';

export interface MergeResult {
  contacts: Contact[];
  changed: boolean;
}

const typeKey = (type: string) => type.trim().toLowerCase();

export function mergeContacts(existing: readonly Contact[], incoming: readonly Contact[]): MergeResult {
  const replacements = new Map<string, Contact[]>();
  for (const contact of incoming) {
    const list = replacements.get(typeKey(contact.type)) ?? [];
    if (contact.value.trim() !== '') list.push({ type: contact.type, value: contact.value.trim() });
    replacements.set(typeKey(contact.type), list);
  }

  const merged: Contact[] = [];
  const placed = new Set<string>();
  // Replacements take the place of the first contact of their type, so an unchanged list keeps its order.
  for (const contact of existing) {
    const key = typeKey(contact.type);
    const replacement = replacements.get(key);
    if (!replacement) merged.push(contact);
    else if (!placed.has(key)) {
      merged.push(...replacement);
      placed.add(key);
    }
  }
  for (const [key, replacement] of replacements) if (!placed.has(key)) merged.push(...replacement);

  const same = (a: Contact, b: Contact | undefined) => b !== undefined && typeKey(a.type) === typeKey(b.type) && a.value === b.value;
  const changed = merged.length !== existing.length || merged.some((c, i) => !same(c, existing[i]));
  return { contacts: changed ? merged : [...existing], changed };
}
