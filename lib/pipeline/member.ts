/**
 * One member, one key. Every door names people its own way (an e-mail, a DocSpace id, a sender's employee number);
 * the pipeline orders, leases and marks by one **member key**: `email:<address, lower case>` whenever the address is
 * known — from the event, or from the member directory for an event that names only a DocSpace id — and
 * `id:<DocSpace id>` only for a member the directory has not met yet.
 *
 * The directory keeps, per member, the DocSpace id ↔ e-mail pair and the **ownership record**: which door or sender
 * manages the member (the event source that created them, or that first matched an existing member). Reconcile
 * and SCIM touch only their own members; both read it from here.
 */
import type { RecordStore } from '../store/ports';

export interface MemberRef {
  userId?: string | undefined;
  email?: string | undefined;
}

export interface Ownership {
  userId: string;
  /** The event source (sender name, `standardWebhooks`-signed source, …) that manages the member. */
  managedBy: string;
  /** Whether that source created the member or found it existing. */
  via: 'created' | 'matched';
  sinceMs: number;
}

/**
 * Reconciliation applies its drift as events of source `reconcile:<sender>` (so they have idempotency keys of their
 * own), on behalf of that sender: the member is managed by the sender, as if its webhook had made the change.
 */
const RECONCILE_SOURCE_PREFIX = 'reconcile:';
export const reconcileSource = (sender: string): string => `${RECONCILE_SOURCE_PREFIX}${sender}`;

/** Who manages a member that an event of this source created or matched. */
export const managerOf = (source: string | undefined): string =>
  source === undefined ? 'canonical' : source.startsWith(RECONCILE_SOURCE_PREFIX) ? source.slice(RECONCILE_SOURCE_PREFIX.length) : source;

const emailKey = (email: string) => `email:${email.trim().toLowerCase()}`;
const idKey = (userId: string) => `id:${userId.toLowerCase()}`;

/** The key earlier versions used: the DocSpace id when the event named one (read for stale marks only). */
export const legacyMemberKey = (ref: MemberRef): string => (ref.userId ? idKey(ref.userId) : emailKey(ref.email ?? ''));

export class MemberDirectory {
  /** Pairs this container has written or read already: no store round trip for them again. */
  private readonly known = new Map<string, string>();

  constructor(private readonly records: RecordStore) {}

  /** The member key of whoever the reference names. */
  async keyOf(ref: MemberRef): Promise<string> {
    if (ref.email) return emailKey(ref.email);
    if (!ref.userId) throw new Error('a member reference needs an e-mail or a DocSpace id');
    const id = ref.userId.toLowerCase();
    const cached = this.known.get(id);
    if (cached) return emailKey(cached);
    const entry = await this.records.get<{ email: string }>(`member#${idKey(id)}`);
    if (!entry) return idKey(id);
    this.known.set(id, entry.value.email);
    return emailKey(entry.value.email);
  }

  /** Who manages the member with this e-mail, when anyone does. */
  async ownerOf(email: string): Promise<Ownership | undefined> {
    return (await this.records.get<Ownership>(`member#${emailKey(email)}`))?.value;
  }

  /** Who manages each of these members (by e-mail, lower case), in one batched read; absent when nobody does. */
  async ownersOf(emails: readonly string[]): Promise<Map<string, Ownership>> {
    const byKey = await this.records.getMany<Ownership>(emails.map((e) => `member#${emailKey(e)}`));
    const out = new Map<string, Ownership>();
    for (const [key, value] of byKey) out.set(key.slice('member#email:'.length), value);
    return out;
  }

  /**
   * Records that `email` is DocSpace member `userId`, and who manages them: the first source to create or match
   * the member keeps it; a member re-created under a new id keeps its owner.
   */
  async remember(email: string, userId: string, source: string, via: Ownership['via'], now: number): Promise<void> {
    const id = userId.toLowerCase();
    const address = email.trim().toLowerCase();
    if (this.known.get(id) === address) return;
    const key = `member#${emailKey(address)}`;
    const current = await this.records.get<Ownership>(key);
    if (!current) await this.records.put<Ownership>(key, { userId: id, managedBy: source, via, sinceMs: now }, undefined);
    else if (current.value.userId !== id) await this.records.put<Ownership>(key, { ...current.value, userId: id }, current.version);
    const reverse = await this.records.get<{ email: string }>(`member#${idKey(id)}`);
    if (reverse?.value.email !== address) await this.records.put(`member#${idKey(id)}`, { email: address }, reverse?.version);
    this.known.set(id, address);
  }
}
