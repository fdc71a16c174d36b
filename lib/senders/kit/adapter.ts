/**
 * The shape of every sender adapter (handshake → verify → translate, and `sign` for the local tools), and what the
 * pipeline hands it: its mapping, the role map, its options and a lazy client for its API. An adapter reaches for
 * no setting or singleton of its own; its registry entry says where its settings live.
 */
import type { CanonicalEvent } from '../../events';
import type { RoleMap } from '../../roles';
import type { SenderApi, SenderApiAuth } from './api';

/** A webhook delivery as received: header names lower-cased, the body exactly as sent. */
export interface IncomingWebhook {
  method: string;
  headers: Record<string, string | undefined>;
  rawBody: Buffer;
}

/** One person as the sender's API or payload describes them, with field names as the mapping uses them. */
export interface SenderPerson {
  senderId: string;
  email?: string | undefined;
  firstName?: string | undefined;
  lastName?: string | undefined;
  /** Every other field, flat, by the sender's field name (Okta attribute, BambooHR alias, HiBob field id). */
  fields: Record<string, string | undefined>;
}

/** One person of a sender's roster (reconciliation): the record as the webhooks read it, and whether they are active. */
export interface RosterPerson extends SenderPerson {
  active: boolean;
  /** A role the roster gives beyond the record's role field (Okta: the highest of the mapped groups the user is in). */
  role?: string;
}

/** What to answer a vendor's one-time handshake with. */
interface HandshakeReply {
  status: number;
  body: unknown;
}

export interface Translation {
  events: CanonicalEvent[];
  /** Parts of the delivery we do not sync, each with the reason (answered 200 so the sender keeps the hook on). */
  ignored: string[];
}

export interface SenderMapping {
  /** Sender field → DocSpace contact type. */
  contacts: Record<string, string>;
  /** Sender field whose value is the role name. */
  roleField: string;
  /** Group name → role name (Okta group memberships). */
  groups: Record<string, string>;
}

/** Everything an adapter may use for one delivery. */
export interface SenderContext {
  /** The sender's registry name: the `source` of its canonical events. */
  sender: string;
  mapping: SenderMapping;
  roles: RoleMap;
  /** The adapter's options from its registry entry (values from the environment or their defaults). */
  options: Record<string, string>;
  /** A client for the sender's API, built on first use (credentials from the sender API secret). */
  api: () => Promise<SenderApi>;
}

export interface SenderAdapter {
  /** How to reach the sender's own API, for payloads that carry ids only. */
  readonly api: SenderApiAuth<unknown>;
  /**
   * A vendor handshake, answered before anything is parsed: Okta's verification GET, HiBob's "Ping test". Given the
   * signing secret so that a handshake carrying credentials can be checked.
   */
  handshake?(request: IncomingWebhook, context: SenderContext, secret: () => Promise<string>): Promise<HandshakeReply | undefined>;
  /** Throws a RefusedEvent ('unauthorized') unless the delivery is genuine. */
  verify(request: IncomingWebhook, secret: string, context: SenderContext): void;
  /** The (lower-case) headers every signed delivery carries: one that is missing is a 401 before the secret is read. */
  signatureHeaders(context: SenderContext): readonly string[];
  /** Turns a verified delivery into canonical events, reading the sender's API where the payload has no values. */
  translate(request: IncomingWebhook, context: SenderContext): Promise<Translation>;
  /**
   * Everybody the sender knows (reconciliation), read as the vendor serves a list, with the fields the mapping
   * needs (the same names the webhooks read), active or not; a person missing from the list is gone. `remainingMs`
   * bounds waits for the sender's rate limit.
   */
  roster(context: SenderContext, remainingMs: () => number): Promise<RosterPerson[]>;
  /**
   * One cheap read that proves the sender's API answers these credentials with what the sync reads (`npm run
   * preflight`): throws as `translate` and `roster` would, else says what was read. Never a write.
   */
  probe(context: SenderContext, remainingMs: () => number): Promise<string>;
  /** The headers the vendor would send with this body (the inverse of verify), for `npm run send`, tests and benchmarks. */
  sign(body: string | Buffer, secret: string, at: Date, options: Record<string, string>): Record<string, string>;
}
