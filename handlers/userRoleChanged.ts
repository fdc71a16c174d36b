import { canonicalDoor } from '../lib/http/canonicalDoor';
import { services } from '../lib/services';

/** `user.role_changed`: direct invocation with a canonical event, or a Standard Webhooks-signed HTTP POST. */
export const handler = canonicalDoor(['user.role_changed'], services);
