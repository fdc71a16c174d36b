import { canonicalEventHandler } from '../lib/http/canonicalDoor';

/** `user.deactivated` / `user.reactivated`: direct invocation with a canonical event, or a Standard Webhooks-signed HTTP POST. */
export const handler = canonicalEventHandler('user.deactivated', 'user.reactivated');
