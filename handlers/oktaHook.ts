import { senderDoor } from '../lib/http/senderDoor';
import { services } from '../lib/services';

/** Okta Event Hooks: `GET` (one-time verification) and `POST /webhooks/okta`. */
export const handler = senderDoor('okta', services);
