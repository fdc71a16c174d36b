/** The ingress side of queue mode with the in-memory queue: what a message carries, and a queue that fails. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '../../lib/events';
import { RefusedEvent } from '../../lib/outcome';
import { ingress } from '../../lib/queue/ingress';
import { buildRoleMap } from '../../lib/roles';
import { MemoryQueue } from '../../lib/queue/memory';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const directory = {
  keyOf: async (ref: { email?: string | undefined; userId?: string | undefined }) =>
    ref.email ? `email:${ref.email.toLowerCase()}` : `id:${ref.userId ?? ''}`,
};
const event = (id: string, email: string): CanonicalEvent => ({
  id,
  type: 'user.deactivated',
  occurredAt: '2026-11-22T00:00:00Z',
  source: 'okta',
  data: { email },
});

describe('the queue ingress', () => {
  it('groups by the hashed member key and deduplicates by the hashed (source, type, id), in order', async () => {
    const queue = new MemoryQueue();
    await ingress(queue, directory, buildRoleMap()).enqueue([
      event('e1', 'Ann@Example.com'),
      event('e2', 'bob@example.com'),
      event('e1', 'ann@example.com'),
    ]);
    expect(queue.messages.map((m) => m.groupId)).toEqual([sha256('member:email:ann@example.com'), sha256('member:email:bob@example.com')]);
    expect(queue.messages[0]?.deduplicationId).toBe(sha256(JSON.stringify(['okta', 'user.deactivated', 'e1'])));
    for (const m of queue.messages) {
      expect(m.groupId).toMatch(/^[0-9a-f]{64}$/);
      expect(m.deduplicationId).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(JSON.parse(queue.messages[1]?.body ?? '')).toEqual(event('e2', 'bob@example.com'));
  });

  it('answers unavailable (503, try again) when the queue does not take the events', async () => {
    const queue = new MemoryQueue();
    queue.failing = true;
    const refused = await ingress(queue, directory, buildRoleMap())
      .enqueue([event('e1', 'ann@example.com')])
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RefusedEvent);
    expect(refused).toMatchObject({ outcome: 'unavailable', retryAfterSeconds: 30 });
  });

  it('refuses a role the role map does not know before anything is queued (422, as in sync mode)', () => {
    const door = ingress(new MemoryQueue(), directory, buildRoleMap());
    const promote = (role: string): CanonicalEvent => ({
      id: 'e3',
      type: 'user.role_changed',
      occurredAt: '2026-11-22T00:00:00Z',
      data: { email: 'ann@example.com', role },
    });
    expect(() => door.admit(promote('Wizard'))).toThrow(expect.objectContaining({ outcome: 'unknown_role' }));
    expect(() => door.admit(promote('Manager'))).not.toThrow();
  });
});
