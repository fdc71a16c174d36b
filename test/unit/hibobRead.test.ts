/** How the HiBob adapter reads Bob's documented answer shapes (lib/senders/VENDOR-FACTS.md §1.2), on a canned API. */
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../lib/outcome';
import { hibob } from '../../lib/senders/hibob';
import type { SenderApi } from '../../lib/senders/kit/api';
import { SENDERS } from '../../lib/senders/registry';
import { senderContext, webhook } from '../support/doubles';

const created = JSON.stringify({ type: 'employee.created', triggeredAt: '2024-12-26T11:29:14.399997', data: { employeeId: '42' } });

async function translateWith(answer: unknown) {
  const asked: unknown[] = [];
  const api: SenderApi = {
    calls: 0,
    json: <T>(_method: string, _path: string, schema: { parse(v: unknown): T }, body?: unknown) => {
      asked.push(body);
      return Promise.resolve(schema.parse(answer));
    },
    page: () => Promise.reject(new Error('no roster here')),
  };
  const context = senderContext({ sender: 'hibob', mapping: structuredClone(SENDERS.hibob.mapping), api: () => Promise.resolve(api) });
  const translation = await hibob.translate(webhook(created, { 'content-type': 'application/json' }), context);
  return { translation, asked };
}

const hireOf = (translation: Awaited<ReturnType<typeof translateWith>>['translation']) => translation.events[0]?.data;

describe('HiBob read answers', () => {
  it('asks for exactly the fields the mapping needs, all of them real Bob field ids', async () => {
    const { asked } = await translateWith({
      '/root/email': { value: 'a@example.com' },
      '/root/firstName': { value: 'A' },
      '/root/surname': { value: 'B' },
      '/work/title': { value: 'x' },
      '/work/workMobile': { value: '1' },
      '/work/workPhone': { value: null },
    });
    expect(asked).toEqual([
      {
        fields: ['root.email', 'root.firstName', 'root.surname', 'work.title', 'work.workMobile', 'work.workPhone'],
        humanReadable: 'REPLACE',
      },
    ]);
  });

  it('reads slash keys ({"value": …}) first, ignores a humanReadable node, and fills in from nested copies', async () => {
    const { translation } = await translateWith({
      '/root/email': { value: 'noa@example.com' },
      '/root/firstName': { value: 'Noa' },
      '/work/title': { value: 'Manager' },
      '/work/workMobile': { value: '+972 50 555 0134' },
      surname: 'Levi', // a nested (root) copy only
      work: { title: 'stale nested copy', workPhone: null },
      humanReadable: { work: { title: 'Product Manager' } },
    });
    expect(hireOf(translation)).toEqual({
      email: 'noa@example.com',
      firstName: 'Noa',
      lastName: 'Levi',
      role: 'Manager',
      contacts: [{ type: 'mobphone', value: '+972 50 555 0134' }],
    });
  });

  it('reads nested objects alone, a `root` object included, and an {"employees": [one]} envelope', async () => {
    const nested = {
      root: { email: 'omer@example.com', firstName: 'Omer', surname: 'Katz' },
      work: { title: 'User', workMobile: null, workPhone: '+972 3 555 0101' },
    };
    for (const answer of [nested, { employees: [nested] }]) {
      const { translation } = await translateWith(answer);
      expect(hireOf(translation)).toEqual({
        email: 'omer@example.com',
        firstName: 'Omer',
        lastName: 'Katz',
        role: 'User',
        contacts: [{ type: 'phone', value: '+972 3 555 0101' }],
      });
    }
  });

  it('throws a configuration error naming the fields Bob left out, never their values', async () => {
    const error = await translateWith({
      '/root/email': { value: 'noa@example.com' },
      '/root/firstName': { value: 'Noa' },
      '/root/surname': { value: 'Levi' },
      '/work/title': { value: 'x' },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).outcome).toBe('misconfigured');
    expect((error as Error).message).toMatch(/answer for employee 42 lacks field\(s\) asked for: work\.workMobile, work\.workPhone\./);
    expect((error as Error).message).not.toMatch(/@/);
  });
});
