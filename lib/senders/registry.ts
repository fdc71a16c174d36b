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
    // Okta's default user profile attributes (the adapter also reads `email`, `firstName`, `lastName`), each in
    // developer.okta.com/okta-sdk-java/18.0.0/apidocs/com/okta/sdk/resource/model/UserProfile.html ("default and
    // custom profile properties", based on the SCIM core schema).
    mapping: {
      contacts: {
        mobilePhone: 'mobphone', // UserProfile.mobilePhone
        primaryPhone: 'phone', // UserProfile.primaryPhone
        secondEmail: 'mail', // UserProfile.secondEmail
      },
      roleField: 'title', // UserProfile.title
      groups: {},
    },
  },
  bamboohr: {
    adapter: bamboohr,
    route: '/webhooks/bamboohr',
    apiUrl: { setting: 'BAMBOOHR_API_URL' },
    // BambooHR field names, each a row of documentation.bamboohr.com/docs/list-of-field-names (the adapter also
    // reads `workEmail`, `firstName`, `lastName` and `status` from the same list).
    mapping: {
      contacts: {
        mobilePhone: 'mobphone', // "mobilePhone: phone, the employee's mobile phone number"
        workPhone: 'phone', // "workPhone: phone, the employee's work phone number, without extension"
        homeEmail: 'mail', // "homeEmail: email, the employee's home email address"
      },
      roleField: 'jobTitle', // "jobTitle: list, the CURRENT value of the employee's job title"
      groups: {},
    },
  },
  hibob: {
    adapter: hibob,
    route: '/webhooks/hibob',
    apiUrl: { setting: 'HIBOB_API_URL', default: 'https://api.hibob.com' },
    // Bob field ids (dot notation), as GET /v1/company/people/fields lists them: apidocs.hibob.com/docs/fields-metadata
    // and apidocs.hibob.com/reference/get_company-people-fields. The adapter also reads `root.email`, `root.firstName`
    // and `root.surname` (apidocs.hibob.com/docs/create-employee shows root.email's metadata, category About; the
    // example `fields` of Bob's published OpenAPI name root.firstName and root.surname, as stored in
    // konfig-sdks/openapi-examples hibob/openapi.yaml). There is no `work.mobilePhone`: the personal mobile is
    // `home.mobilePhone` (category Personal contact details, apidocs.hibob.com/docs/create-employee).
    mapping: {
      contacts: {
        // Work mobile, category Work contact details. Bob's published pages found so far show it in no example;
        // its id is confirmed by clients of the API (lyft/cartography tests/data/hibob/employees.py, brynq's SDK
        // schema alias "work.workMobile"): see lib/senders/VENDOR-FACTS.md §2.
        'work.workMobile': 'mobphone',
        'work.workPhone': 'phone', // Work phone, category Work contact details; the same sources as work.workMobile
      },
      roleField: 'work.title', // Job title, category Work: schema WorkPart.title of the same OpenAPI; dot ids per apidocs.hibob.com/reference/post_people-search
      groups: {},
    },
  },
} as const satisfies Record<string, SenderEntry>;

export type Sender = keyof typeof SENDERS;
export const SENDER_NAMES = Object.keys(SENDERS) as [Sender, ...Sender[]];

/** The entry of a sender, typed as the general shape (the literal types above are for the `Sender` union). */
export const senderEntry = (sender: Sender): SenderEntry => SENDERS[sender];
