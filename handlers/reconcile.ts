import { reconcileDoor } from '../lib/reconcile/door';
import { services } from '../lib/services';

/** Daily per sender (EventBridge), or invoked directly: converges DocSpace on the sender's roster. */
export const handler = reconcileDoor(services);
