import { canonicalEventHandler } from '../lib/http/canonicalDoor';

/** `user.contact_updated`: direct invocation with a canonical event, or a Standard Webhooks-signed HTTP POST. */
export const handler = canonicalEventHandler('user.contact_updated');
