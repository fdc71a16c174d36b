import { senderDoor } from '../lib/http/senderDoor';
import { services } from '../lib/services';

/** HiBob webhooks v2: `POST /webhooks/hibob` (answers the "Ping test" handshake). */
export const handler = senderDoor('hibob', services);
