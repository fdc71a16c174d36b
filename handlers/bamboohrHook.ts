import { sourceWebhookHandler } from '../lib/middleware/sourceHandler';
import { bamboohr } from '../lib/sources/bamboohr';

/** BambooHR webhooks: `POST /webhooks/bamboohr` (event-based and field-based, JSON or form-encoded). */
export const handler = sourceWebhookHandler(bamboohr);
