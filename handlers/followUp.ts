import { followUpDoor } from '../lib/schedule/followUp';
import { services } from '../lib/services';

/** Every minute (EventBridge): finishes downgrades, guest conversions, deferred type changes and parked events. */
export const handler = followUpDoor(services);
