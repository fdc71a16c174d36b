import { sourceWebhookHandler } from '../lib/http/senderDoor';
import { okta } from '../lib/senders/okta';

/** Okta Event Hooks: `GET` (one-time verification) and `POST /webhooks/okta`. */
export const handler = sourceWebhookHandler(okta);
