/**
 * Every sender, declared once. The `Sender` type, the settings (API URL and options), the default field mappings,
 * the local stack's seeded secrets, the test helpers and the fuzz list all derive from this object. A sender's name
 * is also its key in the webhook secret (signing material) and in the sender API secret (credentials).
 *
 * Adding a sender: its adapter file beside this one, its entry here, its function (and its URL setting) in
 * serverless.yml, samples under events/<sender>/, and tests (with an emulator of its API under local/emulators/).
 */
import { bamboohr } from './bamboohr';
import { hibob } from './hibob';
import type { SenderAdapter, SenderMapping } from './kit/adapter';
import { okta } from './okta';

export interface SenderEntry {
  adapter: SenderAdapter;
  /** The HTTP route of its function (serverless.yml declares the same path). */
  route: string;
  /** The setting that holds the base URL of the sender's API, and its default when the vendor has one. */
  apiUrl: { setting: string; default?: string };
  /** Adapter options, each from its own setting. */
  options?: Record<string, { setting: string; default: string; parse: (value: string) => string }>;
  /** The default field mapping; SENDER_MAPPING overrides it per sender. */
  mapping: SenderMapping;
}

export const SENDERS = {
  okta: {
    adapter: okta,
    route: '/webhooks/okta',
    apiUrl: { setting: 'OKTA_ORG_URL' },
    // The header that carries Okta's shared secret (the "Authentication field" of the event hook).
    options: { authHeader: { setting: 'OKTA_AUTH_HEADER', default: 'authorization', parse: (v) => v.trim().toLowerCase() } },
    // Okta user profile attributes: developer.okta.com/docs/reference/api/users/#default-profile-properties
    mapping: { contacts: { mobilePhone: 'mobphone', primaryPhone: 'phone', secondEmail: 'mail' }, roleField: 'title', groups: {} },
  },
  bamboohr: {
    adapter: bamboohr,
    route: '/webhooks/bamboohr',
    apiUrl: { setting: 'BAMBOOHR_API_URL' },
    // BambooHR field names (aliases): documentation.bamboohr.com/docs/list-of-field-names
    mapping: { contacts: { mobilePhone: 'mobphone', workPhone: 'phone', homeEmail: 'mail' }, roleField: 'jobTitle', groups: {} },
  },
  hibob: {
    adapter: hibob,
    route: '/webhooks/hibob',
    apiUrl: { setting: 'HIBOB_API_URL', default: 'https://api.hibob.com' },
    mapping: { contacts: { 'work.mobilePhone': 'mobphone', 'work.workPhone': 'phone' }, roleField: 'work.title', groups: {} },
  },
} as const satisfies Record<string, SenderEntry>;

export type Sender = keyof typeof SENDERS;
export const SENDER_NAMES = Object.keys(SENDERS) as [Sender, ...Sender[]];

/** The entry of a sender, typed as the general shape (the literal types above are for the `Sender` union). */
export const senderEntry = (sender: Sender): SenderEntry => SENDERS[sender];
