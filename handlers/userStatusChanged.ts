import { canonicalEventHandler } from '../lib/middleware/canonicalHandler';

/** `user.deactivated` / `user.reactivated`: direct invocation with a canonical event, or a Standard Webhooks-signed HTTP POST. */
export const handler = canonicalEventHandler('user.deactivated', 'user.reactivated');
