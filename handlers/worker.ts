import { workerDoor } from '../lib/queue/worker';
import { services } from '../lib/services';

/** Queue mode: the SQS FIFO queue's events, applied in order per member; failed messages reported back to SQS. */
export const handler = workerDoor(services);
