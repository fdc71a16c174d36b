import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canonicalEventSchema, parseEventFor } from '../../lib/events';

const base = { id: 'evt_1', occurredAt: '2026-11-22T09:30:00Z', source: 'hr-portal' };

describe('canonical event', () => {
  it('accepts every sample in events/', () => {
    const files = readdirSync('events').filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const file of files) {
      const parsed = canonicalEventSchema.safeParse(JSON.parse(readFileSync(`events/${file}`, 'utf8')));
      expect(parsed.success, file).toBe(true);
    }
  });

  it('requires email, firstName and lastName for user.created, and lists each problem', () => {
    const result = parseEventFor(['user.created'], { ...base, type: 'user.created', data: { firstName: '' } });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.join('\n')).toMatch(/data\.email/);
    expect(result.errors.join('\n')).toMatch(/data\.firstName/);
    expect(result.errors.join('\n')).toMatch(/data\.lastName/);
  });

  it('ignores unknown fields instead of failing', () => {
    const result = parseEventFor(['user.role_changed'], {
      ...base,
      type: 'user.role_changed',
      extra: true,
      data: { email: 'a@example.com', role: 'User', title: 'Boss' },
    });
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.event.data).toEqual({ email: 'a@example.com', role: 'User' });
  });

  it('needs userId or email to find the member', () => {
    const result = parseEventFor(['user.role_changed'], { ...base, type: 'user.role_changed', data: { role: 'User' } });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors).toContain('data.userId: data.userId or data.email is required');
  });

  it('requires at least one contact and refuses "|", which would corrupt DocSpace storage', () => {
    const empty = parseEventFor(['user.contact_updated'], {
      ...base,
      type: 'user.contact_updated',
      data: { email: 'a@example.com', contacts: [] },
    });
    expect(empty.ok).toBe(false);
    const pipe = parseEventFor(['user.contact_updated'], {
      ...base,
      type: 'user.contact_updated',
      data: { email: 'a@example.com', contacts: [{ type: 'phone', value: '1|2' }] },
    });
    expect(pipe.ok).toBe(false);
    if (!pipe.ok) expect(pipe.errors[0]).toMatch(/data\.contacts\.0\.value/);
  });

  it('allows an empty contact value, which removes that type', () => {
    const result = parseEventFor(['user.contact_updated'], {
      ...base,
      type: 'user.contact_updated',
      data: { userId: '6d1a1b3c-0000-4000-8000-00000000a001', contacts: [{ type: 'phone', value: '' }] },
    });
    expect(result.ok).toBe(true);
  });

  it('refuses an event of another type with a message naming both types', () => {
    const result = parseEventFor(['user.created'], { ...base, type: 'user.role_changed', data: { email: 'a@example.com', role: 'User' } });
    expect(result).toMatchObject({ ok: false, message: 'this endpoint accepts user.created events, not user.role_changed' });
  });

  it('refuses an unknown type, a bad timestamp and a malformed id', () => {
    expect(parseEventFor(['user.created'], { ...base, type: 'user.deleted', data: {} }).ok).toBe(false);
    const bad = parseEventFor(['user.role_changed'], {
      ...base,
      occurredAt: 'yesterday',
      type: 'user.role_changed',
      data: { userId: 'nope', role: 'User' },
    });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors.map((e) => e.split(':')[0])).toEqual(expect.arrayContaining(['occurredAt', 'data.userId']));
  });
});
