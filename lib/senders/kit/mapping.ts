/**
 * Which fields of a sender's record become DocSpace contacts, which one carries the role (passed through the role
 * map), and, for Okta, which groups mean which role. Defaults below; SOURCE_MAPPING (JSON) overrides per sender:
 *   {"okta": {"contacts": {"mobilePhone": "mobphone"}, "roleField": "title", "groups": {"DocSpace Admins": "DocSpaceAdmin"}}}
 * Contact field names are the sender's API names: Okta profile attributes, BambooHR field aliases, HiBob field ids.
 */
import * as z from 'zod';

export type Sender = 'okta' | 'bamboohr' | 'hibob';

export interface SenderMapping {
  /** Source field → DocSpace contact type. */
  contacts: Record<string, string>;
  /** Source field whose value is the role name. */
  roleField: string;
  /** Group name → role name (Okta group memberships). */
  groups: Record<string, string>;
}

export type SourceMapping = Record<Sender, SenderMapping>;

export const DEFAULT_SOURCE_MAPPING: SourceMapping = {
  okta: { contacts: { mobilePhone: 'mobphone', primaryPhone: 'phone', secondEmail: 'mail' }, roleField: 'title', groups: {} },
  bamboohr: { contacts: { mobilePhone: 'mobphone', workPhone: 'phone', homeEmail: 'mail' }, roleField: 'jobTitle', groups: {} },
  hibob: { contacts: { 'work.mobilePhone': 'mobphone', 'work.workPhone': 'phone' }, roleField: 'work.title', groups: {} },
};

const senderOverrides = z
  .object({
    contacts: z.record(z.string().min(1), z.string().min(1)).optional(),
    roleField: z.string().min(1).optional(),
    groups: z.record(z.string().min(1), z.string().min(1)).optional(),
  })
  .strict();

export const sourceMappingSchema = z.object({ okta: senderOverrides, bamboohr: senderOverrides, hibob: senderOverrides }).partial().strict();

export function buildSourceMapping(overrides: z.infer<typeof sourceMappingSchema>): SourceMapping {
  const merged = structuredClone(DEFAULT_SOURCE_MAPPING);
  for (const sender of Object.keys(merged) as Sender[]) {
    const o = overrides[sender];
    if (!o) continue;
    if (o.contacts) merged[sender].contacts = o.contacts;
    if (o.roleField) merged[sender].roleField = o.roleField;
    if (o.groups) merged[sender].groups = o.groups;
  }
  return merged;
}
