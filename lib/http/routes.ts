import type { CanonicalEventType } from '../events';

/** The HTTP route of each canonical event type (serverless.yml declares the same paths). */
export const ROUTE_BY_TYPE: Record<CanonicalEventType, string> = {
  'user.created': '/webhooks/user-created',
  'user.role_changed': '/webhooks/user-role-changed',
  'user.contact_updated': '/webhooks/user-contact-updated',
  'user.deactivated': '/webhooks/user-status-changed',
  'user.reactivated': '/webhooks/user-status-changed',
};
