import { canonicalDoor } from '../lib/http/canonicalDoor';
import { services } from '../lib/services';

/** `user.contact_updated`: direct invocation with a canonical event, or a Standard Webhooks-signed HTTP POST. */
export const handler = canonicalDoor(['user.contact_updated'], services);
