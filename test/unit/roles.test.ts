import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../lib/outcome';
import { parseSettings } from '../../lib/settings';
import { buildRoleMap, userTypeForRole } from '../../lib/roles';

const env = { DOCSPACE_URL: 'https://portal.example.com', DOCSPACE_API_KEY_SECRET_ID: 'k', WEBHOOK_SECRET_ID: 'w' };

describe('role map', () => {
  it('knows DocSpace type names in any case, admin, and the vendor example Manager', () => {
    const roles = buildRoleMap();
    expect(userTypeForRole(roles, 'DocSpaceAdmin')).toBe(3);
    expect(userTypeForRole(roles, 'admin')).toBe(3);
    expect(userTypeForRole(roles, 'ROOMADMIN')).toBe(1);
    expect(userTypeForRole(roles, ' user ')).toBe(4);
    expect(userTypeForRole(roles, 'Guest')).toBe(2);
    expect(userTypeForRole(roles, 'Manager')).toBe(1);
    expect(userTypeForRole(roles, 'Collaborator')).toBeUndefined();
  });

  it('takes additions and overrides from ROLE_MAP, by name or number', () => {
    const { roles } = parseSettings({ ...env, ROLE_MAP: '{"Engineer": "user", "Manager": 4, "Head of IT": "DocSpaceAdmin"}' });
    expect(userTypeForRole(roles, 'engineer')).toBe(4);
    expect(userTypeForRole(roles, 'MANAGER')).toBe(4);
    expect(userTypeForRole(roles, 'head of it')).toBe(3);
    expect(userTypeForRole(roles, 'Guest')).toBe(2);
  });

  it('refuses a ROLE_MAP that is not JSON or names no DocSpace type, saying which setting is wrong', () => {
    expect(() => parseSettings({ ...env, ROLE_MAP: '{nope' })).toThrow(/ROLE_MAP: is not valid JSON/);
    expect(() => parseSettings({ ...env, ROLE_MAP: '{"Boss": "Emperor"}' })).toThrow(ConfigurationError);
    expect(() => parseSettings({ ...env, ROLE_MAP: '{"Boss": 7}' })).toThrow(/ROLE_MAP/);
  });

  it('names every missing or wrong setting', () => {
    expect(() => parseSettings({ DOCSPACE_URL: 'ftp://x', DOCSPACE_REASSIGN_USER_ID: 'me' })).toThrow(
      /DOCSPACE_URL.*DOCSPACE_API_KEY_SECRET_ID.*WEBHOOK_SECRET_ID.*DOCSPACE_REASSIGN_USER_ID/,
    );
  });
});

describe('SCIM_GROUP_TYPES', () => {
  it('maps group display names (any case, trimmed) to DocSpace types by name or number; empty when unset', () => {
    const { scimGroupTypes } = parseSettings({
      ...env,
      SCIM_GROUP_TYPES: '{" DocSpace Admins ": "docspaceadmin", "Room Admins": 1, "External": "Guest"}',
    });
    expect([...scimGroupTypes]).toEqual([
      ['docspace admins', 3],
      ['room admins', 1],
      ['external', 2],
    ]);
    expect(parseSettings(env).scimGroupTypes.size).toBe(0);
  });

  it('stops the function on a type DocSpace does not have, or bad JSON, naming the setting', () => {
    expect(() => parseSettings({ ...env, SCIM_GROUP_TYPES: '{"Admins": "Emperor"}' })).toThrow(/SCIM_GROUP_TYPES/);
    expect(() => parseSettings({ ...env, SCIM_GROUP_TYPES: '[' })).toThrow(/SCIM_GROUP_TYPES: is not valid JSON/);
  });
});
