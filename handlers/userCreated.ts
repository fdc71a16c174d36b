import { canonicalEventHandler } from '../lib/http/canonicalDoor';

/** `user.created`: direct invocation with a canonical event, or a Standard Webhooks-signed HTTP POST. */
export const handler = canonicalEventHandler('user.created');
