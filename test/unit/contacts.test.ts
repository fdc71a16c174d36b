import { describe, expect, it } from 'vitest';
import { mergeContacts } from '../../lib/sync/contacts';

const existing = [
  { type: 'mail', value: 'jane@home.example' },
  { type: 'mobphone', value: '+1 555 0100' },
  { type: 'skype', value: 'jane.d' },
];

describe('contact merge', () => {
  it('replaces the contact of the same type in place and keeps the others', () => {
    expect(mergeContacts(existing, [{ type: 'MobPhone', value: '+1 555 0111' }])).toEqual({
      changed: true,
      contacts: [existing[0], { type: 'MobPhone', value: '+1 555 0111' }, existing[2]],
    });
  });

  it('appends new types', () => {
    const result = mergeContacts(existing, [{ type: 'phone', value: '+1 555 0199' }]);
    expect(result.contacts).toEqual([...existing, { type: 'phone', value: '+1 555 0199' }]);
  });

  it('removes a type when the value is empty', () => {
    expect(mergeContacts(existing, [{ type: 'skype', value: '' }]).contacts).toEqual(existing.slice(0, 2));
  });

  it('reports no change when every incoming contact is already there (type case ignored)', () => {
    expect(mergeContacts(existing, [{ type: 'MOBPHONE', value: '+1 555 0100' }])).toEqual({ changed: false, contacts: existing });
    expect(mergeContacts(existing, [{ type: 'phone', value: '' }]).changed).toBe(false);
  });

  it('replaces every contact of a type that held several', () => {
    const result = mergeContacts(
      [
        { type: 'phone', value: '1' },
        { type: 'mail', value: 'a@b.c' },
        { type: 'phone', value: '2' },
      ],
      [{ type: 'phone', value: '3' }],
    );
    expect(result.contacts).toEqual([
      { type: 'phone', value: '3' },
      { type: 'mail', value: 'a@b.c' },
    ]);
  });
});
