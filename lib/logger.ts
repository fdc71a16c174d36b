/**
 * The service's structured JSON logger (Powertools). One INFO line per event says what happened; e-mail addresses
 * appear only as a hash, and secrets are never handed to it.
 */
import { createHash } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: 'docspace-idp-sync' });

/** Lets an operator correlate the events of one person without their address in the logs. */
export const emailHash = (email: string): string =>
  createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 16);
