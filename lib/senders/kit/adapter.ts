/** The shape every sender adapter has: verify → handshake → translate. Adding a sender is one file of this shape. */
import type { CanonicalEvent } from '../../events';
import type { SourceApi, SourceApiAuth } from './api';

/** A webhook delivery as received: header names lower-cased, the body exactly as sent. */
export interface IncomingWebhook {
  method: string;
  headers: Record<string, string | undefined>;
  rawBody: Buffer;
}

/** What to answer a vendor's one-time handshake with. */
export interface HandshakeReply {
  status: number;
  body: unknown;
}

export interface Translation {
  events: CanonicalEvent[];
  /** Parts of the delivery we do not sync, each with the reason (answered 200 so the sender keeps the hook on). */
  ignored: string[];
}

export interface SourceAdapter {
  /** Key of this sender's signing material in the webhook secret, and of its API credentials in the source secret. */
  readonly sender: 'okta' | 'bamboohr' | 'hibob';
  /** How to reach the sender's own API, for payloads that carry ids only. */
  readonly api: SourceApiAuth<unknown>;
  /**
   * A vendor handshake, answered before anything is parsed: Okta's verification GET, HiBob's "Ping test". Given the
   * signing secret so that a handshake carrying credentials can be checked.
   */
  handshake?(request: IncomingWebhook, secret: () => Promise<string>): Promise<HandshakeReply | undefined>;
  /** Throws a RefusedEvent ('unauthorized') unless the delivery is genuine. */
  verify(request: IncomingWebhook, secret: string): void;
  /** Turns a verified delivery into canonical events, reading the source's API where the payload has no values. */
  translate(request: IncomingWebhook, api: () => Promise<SourceApi>): Promise<Translation>;
}
