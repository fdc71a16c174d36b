/**
 * The service's structured JSON logger (Powertools). One INFO line per event says what happened; e-mail addresses
 * appear only as a hash, and secrets are never handed to it.
 */
import { createHash } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import type { CanonicalEvent } from './events';

export const logger = new Logger({ serviceName: 'docspace-idp-sync' });

/** Lets an operator correlate the events of one person without their address in the logs. */
export const emailHash = (email: string): string => createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 16);

/**
 * The keys that tie log lines to one event and one person, for the query "what happened to this hire?": the event
 * id and type, its source, the e-mail's hash and the DocSpace id when the event names them.
 */
export const eventKeys = (event: CanonicalEvent): Record<string, string> => ({
  eventId: event.id,
  eventType: event.type,
  ...(event.source ? { source: event.source } : {}),
  ...(event.data.email ? { emailHash: emailHash(event.data.email) } : {}),
  ...(event.data.userId ? { userId: event.data.userId } : {}),
});

/** The summary line of an event or a delivery, at the level its answer deserves (5xx error, 4xx warning). */
export function logAnswer(subject: 'event' | 'delivery', status: number, fields: Record<string, unknown>, warn = false): void {
  if (status >= 500) logger.error(`${subject} not applied`, fields);
  else if (status >= 400 || warn) logger.warn(`${subject} refused or not applicable`, fields);
  else logger.info(`${subject} processed`, fields);
}

const EMAIL = /[^\s@"'<>,;:()[\]]+@[^\s@"'<>,;:()[\]]+\.[^\s@"'<>,;:()[\]]+/g;

/** A value for a log line: every e-mail address in it (at any depth) replaced by `email:<hash>`. */
export function maskEmails(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(EMAIL, (address) => `email:${emailHash(address)}`);
  if (Array.isArray(value)) return value.map(maskEmails);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskEmails(v)]));
  return value;
}
