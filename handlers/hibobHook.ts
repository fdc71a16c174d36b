import { sourceWebhookHandler } from '../lib/middleware/sourceHandler';
import { hibob } from '../lib/sources/hibob';

/** HiBob webhooks v2: `POST /webhooks/hibob` (answers the "Ping test" handshake). */
export const handler = sourceWebhookHandler(hibob);
