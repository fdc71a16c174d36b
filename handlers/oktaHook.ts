import { sourceWebhookHandler } from '../lib/middleware/sourceHandler';
import { okta } from '../lib/sources/okta';

/** Okta Event Hooks: `GET` (one-time verification) and `POST /webhooks/okta`. */
export const handler = sourceWebhookHandler(okta);
