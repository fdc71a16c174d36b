import { sourceWebhookHandler } from '../lib/http/senderDoor';
import { hibob } from '../lib/senders/hibob';

/** HiBob webhooks v2: `POST /webhooks/hibob` (answers the "Ping test" handshake). */
export const handler = sourceWebhookHandler(hibob);
