import { senderDoor } from '../lib/http/senderDoor';
import { services } from '../lib/services';

/** BambooHR webhooks: `POST /webhooks/bamboohr` (event-based and field-based, JSON or form-encoded). */
export const handler = senderDoor('bamboohr', services);
