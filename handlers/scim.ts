import { scimDoor } from '../lib/scim/door';
import { services } from '../lib/services';

/** SCIM 2.0 for Entra ID, Okta, OneLogin, JumpCloud: `/scim/v2/Users`, `/Groups` (empty), discovery. */
export const handler = scimDoor(services);
