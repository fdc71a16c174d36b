import { sourceWebhookHandler } from '../lib/http/senderDoor';
import { bamboohr } from '../lib/senders/bamboohr';

/** BambooHR webhooks: `POST /webhooks/bamboohr` (event-based and field-based, JSON or form-encoded). */
export const handler = sourceWebhookHandler(bamboohr);
