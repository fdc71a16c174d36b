import { canonicalEventHandler } from '../lib/http/canonicalDoor';

/** `user.role_changed`: direct invocation with a canonical event, or a Standard Webhooks-signed HTTP POST. */
export const handler = canonicalEventHandler('user.role_changed');
