/**
 * The SCIM 2.0 User schema as this server keeps it (RFC 7643 §4.1, §4.3): attribute names are case-insensitive on
 * the wire ("Primary", "Department", "Manager" all arrive), so every resource is put into the schema's own spelling
 * first; attributes the schema does not know are dropped (a misspelt "adreses" is not stored), read-only ones
 * (`id`, `meta`, `groups`) and `password` are never taken from a client. And the discovery documents (RFC 7644 §4).
 */

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
/** This server's Group extension: the assigned members DocSpace has not let join yet (Guests, disabled members). */
export const GROUP_EXTENSION = 'urn:onlyoffice:params:scim:schemas:extension:docspace:2.0:Group';
const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

const MULTI = ['value', 'display', 'type', 'primary'];
/** Attribute → its sub-attributes (complex), or [] (simple). */
const USER_ATTRIBUTES: Record<string, string[]> = {
  externalId: [],
  userName: [],
  name: ['formatted', 'familyName', 'givenName', 'middleName', 'honorificPrefix', 'honorificSuffix'],
  displayName: [],
  nickName: [],
  profileUrl: [],
  title: [],
  userType: [],
  preferredLanguage: [],
  locale: [],
  timezone: [],
  active: [],
  emails: MULTI,
  phoneNumbers: MULTI,
  ims: MULTI,
  photos: MULTI,
  addresses: ['formatted', 'streetAddress', 'locality', 'region', 'postalCode', 'country', 'type', 'primary'],
  entitlements: MULTI,
  roles: MULTI,
  x509Certificates: MULTI,
};
const MULTI_VALUED = new Set(['emails', 'phoneNumbers', 'ims', 'photos', 'addresses', 'entitlements', 'roles', 'x509Certificates']);
const ENTERPRISE_ATTRIBUTES: Record<string, string[]> = {
  employeeNumber: [],
  costCenter: [],
  organization: [],
  division: [],
  department: [],
  manager: ['value', '$ref', 'displayName'],
};

const byLower = (names: Iterable<string>) => new Map([...names].map((n) => [n.toLowerCase(), n]));
const userNames = byLower(Object.keys(USER_ATTRIBUTES));
const enterpriseNames = byLower(Object.keys(ENTERPRISE_ATTRIBUTES));

/** The schema's spelling of a top-level attribute name (or the enterprise URN), or undefined when unknown. */
function canonicalName(name: string): string | undefined {
  const lower = name.toLowerCase();
  if (lower === ENTERPRISE_SCHEMA.toLowerCase()) return ENTERPRISE_SCHEMA;
  return userNames.get(lower);
}

/** The schema's spelling of a path (`Name.GivenName`, `urn:…:User:Department`), unchanged where unknown. */
export function canonicalPath(path: string): string {
  const urn = ENTERPRISE_SCHEMA.toLowerCase();
  if (path.toLowerCase().startsWith(`${urn}:`)) {
    const [attr, ...rest] = path.slice(urn.length + 1).split('.');
    const name = enterpriseNames.get((attr ?? '').toLowerCase()) ?? attr;
    const subs = byLower(ENTERPRISE_ATTRIBUTES[name ?? ''] ?? []);
    return [`${ENTERPRISE_SCHEMA}:${name}`, ...rest.map((r) => subs.get(r.toLowerCase()) ?? r)].join('.');
  }
  if (path.toLowerCase() === urn) return ENTERPRISE_SCHEMA;
  // A filtered path: `emails[type eq "work"].value`.
  const filtered = /^([^[.]+)(\[.*\])?(?:\.(.+))?$/s.exec(path);
  if (!filtered) return path;
  const [, attr = '', filter = '', sub] = filtered;
  const name = userNames.get(attr.toLowerCase()) ?? attr;
  const subs = byLower(USER_ATTRIBUTES[name] ?? []);
  return `${name}${filter}${sub === undefined ? '' : `.${subs.get(sub.toLowerCase()) ?? sub}`}`;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function complex(value: unknown, subs: string[]): unknown {
  if (!isObject(value)) return value;
  const names = byLower(subs);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const name = names.get(k.toLowerCase());
    if (name !== undefined) out[name] = v;
  }
  return out;
}

/** A resource (or a part of one) in the schema's spelling; unknown and client-read-only attributes dropped. */
export function canonicalUser(input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    const name = canonicalName(key);
    if (name === ENTERPRISE_SCHEMA) {
      if (!isObject(value)) continue;
      const ext: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const attr = enterpriseNames.get(k.toLowerCase());
        if (attr === undefined) continue;
        // Entra may send the manager as a plain string instead of {"value": …}.
        ext[attr] = attr === 'manager' && typeof v === 'string' ? { value: v } : complex(v, ENTERPRISE_ATTRIBUTES[attr] ?? []);
      }
      out[name] = ext;
    } else if (name !== undefined) {
      const subs = USER_ATTRIBUTES[name] ?? [];
      if (MULTI_VALUED.has(name)) {
        const list = Array.isArray(value) ? value : value === null || value === undefined ? [] : [value];
        out[name] = list.map((item) => complex(item, subs));
      } else out[name] = subs.length ? complex(value, subs) : value;
    }
  }
  return out;
}

const attribute = (name: string, type: string, extra: Record<string, unknown> = {}) => ({
  name,
  type,
  multiValued: false,
  required: false,
  caseExact: false,
  mutability: 'readWrite',
  returned: 'default',
  uniqueness: 'none',
  ...extra,
});
const subAttributes = (names: string[]) => names.map((n) => attribute(n, n === 'primary' ? 'boolean' : 'string'));

const userSchemaDocument = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
  id: USER_SCHEMA,
  name: 'User',
  description: 'User Account',
  attributes: Object.entries(USER_ATTRIBUTES).map(([name, subs]) =>
    attribute(name, name === 'active' ? 'boolean' : subs.length ? 'complex' : 'string', {
      ...(MULTI_VALUED.has(name) ? { multiValued: true } : {}),
      ...(subs.length ? { subAttributes: subAttributes(subs) } : {}),
      ...(name === 'userName' ? { required: true, uniqueness: 'server' } : {}),
      ...(name === 'externalId' ? { caseExact: true } : {}),
    }),
  ),
  meta: { resourceType: 'Schema', location: `/Schemas/${USER_SCHEMA}` },
};

const enterpriseSchemaDocument = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
  id: ENTERPRISE_SCHEMA,
  name: 'EnterpriseUser',
  description: 'Enterprise User',
  attributes: Object.entries(ENTERPRISE_ATTRIBUTES).map(([name, subs]) =>
    attribute(name, subs.length ? 'complex' : 'string', subs.length ? { subAttributes: subAttributes(subs) } : {}),
  ),
  meta: { resourceType: 'Schema', location: `/Schemas/${ENTERPRISE_SCHEMA}` },
};

const groupSchemaDocument = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
  id: GROUP_SCHEMA,
  name: 'Group',
  description: 'Group (a DocSpace group)',
  attributes: [
    attribute('displayName', 'string', { required: true, uniqueness: 'server' }),
    attribute('externalId', 'string', { caseExact: true }),
    attribute('members', 'complex', { multiValued: true, subAttributes: subAttributes(['value', 'display', 'type']) }),
  ],
  meta: { resourceType: 'Schema', location: `/Schemas/${GROUP_SCHEMA}` },
};

/** Page size limit: DocSpace's own (ApiContext.MaxCount = 100). */
export const MAX_COUNT = 100;

export const serviceProviderConfig = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
  documentationUri: 'https://github.com/ONLYOFFICE/docspace-idp-sync/blob/main/docs/scim.md',
  patch: { supported: true },
  bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
  filter: { supported: true, maxResults: MAX_COUNT },
  changePassword: { supported: false },
  sort: { supported: false },
  etag: { supported: false },
  authenticationSchemes: [
    {
      type: 'oauthbearertoken',
      name: 'Bearer token',
      description: 'Authorization: Bearer <the "scim" token of the webhook secret>',
      primary: true,
    },
  ],
  meta: { resourceType: 'ServiceProviderConfig', location: '/ServiceProviderConfig' },
};

export const resourceTypes = [
  {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
    id: 'User',
    name: 'User',
    endpoint: '/Users',
    description: 'DocSpace members',
    schema: USER_SCHEMA,
    schemaExtensions: [{ schema: ENTERPRISE_SCHEMA, required: false }],
    meta: { resourceType: 'ResourceType', location: '/ResourceTypes/User' },
  },
  {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
    id: 'Group',
    name: 'Group',
    endpoint: '/Groups',
    description: 'DocSpace groups',
    schema: GROUP_SCHEMA,
    schemaExtensions: [{ schema: GROUP_EXTENSION, required: false }],
    meta: { resourceType: 'ResourceType', location: '/ResourceTypes/Group' },
  },
];

const groupExtensionDocument = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
  id: GROUP_EXTENSION,
  name: 'DocSpaceGroup',
  description: 'Assigned members DocSpace has not let join yet (a Guest or a disabled member); added once eligible',
  attributes: [
    attribute('pendingMembers', 'complex', {
      multiValued: true,
      mutability: 'readOnly',
      subAttributes: subAttributes(['value', 'reason']),
    }),
  ],
  meta: { resourceType: 'Schema', location: `/Schemas/${GROUP_EXTENSION}` },
};

export const schemaDocuments = [userSchemaDocument, enterpriseSchemaDocument, groupSchemaDocument, groupExtensionDocument];

/** A ListResponse page (RFC 7644 §3.4.2). */
export const listResponse = (resources: unknown[], totalResults: number, startIndex: number) => ({
  schemas: [LIST_SCHEMA],
  totalResults,
  itemsPerPage: resources.length,
  startIndex,
  Resources: resources,
});
