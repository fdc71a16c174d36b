/**
 * Which fields of a sender's record become DocSpace contacts, which one carries the role (passed through the role
 * map), and, for Okta, which groups mean which role. Each sender's defaults stand in its registry entry (with the
 * vendor page that names each field); SENDER_MAPPING (JSON) overrides them per sender:
 *   {"okta": {"contacts": {"mobilePhone": "mobphone"}, "roleField": "title", "groups": {"DocSpace Admins": "DocSpaceAdmin"}}}
 * Field names are the sender's API names: Okta profile attributes, BambooHR field aliases, HiBob field ids.
 */
import * as z from 'zod';
import { SENDER_NAMES, SENDERS, type Sender } from './registry';
import type { SenderMapping } from './kit/adapter';

export type SenderMappings = Record<Sender, SenderMapping>;

const senderOverrides = z
  .object({
    contacts: z.record(z.string().min(1), z.string().min(1)).optional(),
    roleField: z.string().min(1).optional(),
    groups: z.record(z.string().min(1), z.string().min(1)).optional(),
  })
  .strict();

export const senderMappingSchema = z.partialRecord(z.enum(SENDER_NAMES), senderOverrides);

export function buildSenderMapping(overrides: z.infer<typeof senderMappingSchema>): SenderMappings {
  const merged = {} as SenderMappings;
  for (const sender of SENDER_NAMES) {
    const defaults = SENDERS[sender].mapping;
    const o = overrides[sender] ?? {};
    merged[sender] = {
      contacts: { ...(o.contacts ?? defaults.contacts) },
      roleField: o.roleField ?? defaults.roleField,
      groups: { ...(o.groups ?? defaults.groups) },
    };
  }
  return merged;
}
