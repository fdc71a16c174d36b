/**
 * The canonical event: the one contract between every sender (HR portal, IdP adapter, `invoke local`) and the sync.
 * Unknown extra fields are stripped, not fatal, so senders can add to their payloads without breaking us.
 */
import * as z from 'zod';

export const EVENT_TYPES = ['user.created', 'user.role_changed', 'user.contact_updated', 'user.deactivated', 'user.reactivated'] as const;
export type CanonicalEventType = (typeof EVENT_TYPES)[number];

/** DocSpace stores contacts as one `type|value|type|value` string, so a `|` would corrupt the pairing. */
const noPipe = (s: string) => !s.includes('|');

const contactSchema = z.object({
  type: z.string().trim().min(1).max(64).refine(noPipe, 'must not contain "|"'),
  /** An empty value removes every contact of this type. */
  value: z.string().trim().max(255).refine(noPipe, 'must not contain "|"'),
});
export type Contact = z.infer<typeof contactSchema>;

const name = z.string().trim().min(1).max(255);
const email = z.email().max(255);
/** DocSpace ids are GUIDs. */
const userId = z.guid();

/** Who the event is about: a DocSpace id, or the e-mail when the sender knows no id. */
const memberRef = z.object({ userId: userId.optional(), email: email.optional() });
const identified = (d: { userId?: string | undefined; email?: string | undefined }) => d.userId !== undefined || d.email !== undefined;
const identifiedMessage = { message: 'data.userId or data.email is required', path: ['userId'] };

const envelope = {
  id: z.string().trim().min(1).max(200),
  occurredAt: z.iso.datetime({ offset: true }),
  source: z.string().trim().min(1).max(100).optional(),
};

const userCreatedSchema = z.object({
  ...envelope,
  type: z.literal('user.created'),
  data: z.object({
    userId: userId.optional(),
    email,
    firstName: name,
    lastName: name,
    role: name.optional(),
    contacts: z.array(contactSchema).max(50).optional(),
    department: z.string().max(255).optional(),
  }),
});

const userRoleChangedSchema = z.object({
  ...envelope,
  type: z.literal('user.role_changed'),
  data: memberRef.extend({ role: name }).refine(identified, identifiedMessage),
});

const userContactUpdatedSchema = z.object({
  ...envelope,
  type: z.literal('user.contact_updated'),
  data: memberRef.extend({ contacts: z.array(contactSchema).min(1).max(50) }).refine(identified, identifiedMessage),
});

/** Offboarding (deactivation, suspension, termination) disables the member; reactivation enables them again. */
const userDeactivatedSchema = z.object({
  ...envelope,
  type: z.literal('user.deactivated'),
  data: memberRef.refine(identified, identifiedMessage),
});

const userReactivatedSchema = z.object({
  ...envelope,
  type: z.literal('user.reactivated'),
  data: memberRef.refine(identified, identifiedMessage),
});

export const canonicalEventSchema = z.discriminatedUnion('type', [
  userCreatedSchema,
  userRoleChangedSchema,
  userContactUpdatedSchema,
  userDeactivatedSchema,
  userReactivatedSchema,
]);

export type UserCreatedEvent = z.infer<typeof userCreatedSchema>;
export type UserRoleChangedEvent = z.infer<typeof userRoleChangedSchema>;
export type UserContactUpdatedEvent = z.infer<typeof userContactUpdatedSchema>;
export type UserStatusEvent = z.infer<typeof userDeactivatedSchema> | z.infer<typeof userReactivatedSchema>;
export type CanonicalEvent = z.infer<typeof canonicalEventSchema>;
type EventOfType<T extends CanonicalEventType> = Extract<CanonicalEvent, { type: T }>;

const schemaByType = {
  'user.created': userCreatedSchema,
  'user.role_changed': userRoleChangedSchema,
  'user.contact_updated': userContactUpdatedSchema,
  'user.deactivated': userDeactivatedSchema,
  'user.reactivated': userReactivatedSchema,
} as const;

const declaredType = z.object({ type: z.string() });

export type ParseResult<T extends CanonicalEventType> =
  { ok: true; event: EventOfType<T> } | { ok: false; message: string; errors: string[] };

/**
 * Parses a payload meant for the function that handles the `expected` types. An event of another type is refused
 * with its own message, so a sender that posts to the wrong route learns that, not a list of missing fields.
 */
export function parseEventFor<T extends CanonicalEventType>(expected: readonly [T, ...T[]], payload: unknown): ParseResult<T> {
  const declared = declaredType.safeParse(payload);
  // Without a type, check against the first accepted type: the answer then lists the type among what is missing.
  let type: T = expected[0];
  if (declared.success) {
    const match = expected.find((t) => t === declared.data.type);
    if (match === undefined) {
      const accepted = expected.join(' or ');
      const known = (EVENT_TYPES as readonly string[]).includes(declared.data.type);
      return {
        ok: false,
        message: known
          ? `this endpoint accepts ${accepted} events, not ${declared.data.type}`
          : `unknown event type "${declared.data.type}"; this endpoint accepts ${accepted}`,
        errors: [`type: expected ${expected.map((t) => `"${t}"`).join(' or ')}`],
      };
    }
    type = match;
  }
  const parsed = schemaByType[type].safeParse(payload);
  if (parsed.success) return { ok: true, event: parsed.data as EventOfType<T> };
  const errors = parsed.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`);
  return { ok: false, message: 'the event is not valid', errors };
}
