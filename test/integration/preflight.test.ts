/**
 * `npm run preflight` against the local stack: once as a reader runs it (every line ok, exit 0), and for each way a
 * setup goes wrong, the check that names it (the run stops there). Unknown options and --help as the CLI answers them.
 * The --stage checks, which run `serverless print`, are in the long suite.
 */
import { describe, expect, it } from 'vitest';
import { SENDER_CREDENTIALS } from '../../local/emulators/senderApis';
import { LOCAL } from '../../local/stack';
import { checkOf, expectStoppedAt, LOCAL_CHECKS, preflight, preflightCli, usePreflightStack, webhookSecret } from '../support/preflight';

const local = usePreflightStack();

describe('npm run preflight against the local stack', () => {
  it('passes: one ok line per check, in order, exit 0; reads only', async () => {
    const run = await preflightCli();
    expect(run.lines.every((l) => l.startsWith('ok   '))).toBe(true);
    expect(run.lines.map(checkOf)).toEqual(LOCAL_CHECKS);
    expect(run.code).toBe(0);
    expect(run.lines.find((l) => l.includes('may manage members'))).toContain('the portal owner');
    expect(local.stack.docspace.calls()).toEqual([expect.objectContaining({ method: 'GET', path: '/api/2.0/people/@self', status: 200 })]);
    expect(local.stack.senderApis.calls.map((c) => c.status)).toEqual([200, 200, 200]);
  });

  it('names the DocSpace check when the key in the secret is not one DocSpace knows (401), and stops there', async () => {
    local.stack.secretsManager.setSecret(LOCAL.apiKeySecretId, JSON.stringify({ apiKey: `sk-${'f'.repeat(64)}` }));
    const run = await preflight();
    const fail = expectStoppedAt(run, /^DocSpace .* answers with the key$/);
    expect(fail).toContain('DocSpace answered 401 to GET api/2.0/people/@self');
    expect(fail).toContain(`put it in secret ${LOCAL.apiKeySecretId}`);
    expect(local.stack.senderApis.calls).toEqual([]);
  });

  it("names the permission check when the key is a member's who may not manage members", async () => {
    const roomAdmin = local.stack.docspace.addMember({ email: 'room.admin@example.com', type: 1 });
    const key = `sk-${'a'.repeat(64)}`;
    local.stack.docspace.addApiKey(key, roomAdmin.id);
    local.stack.secretsManager.setSecret(LOCAL.apiKeySecretId, key);
    const fail = expectStoppedAt(await preflight(), 'DocSpace key may manage members');
    expect(fail).toContain("the key is a RoomAdmin's");
    expect(local.stack.docspace.calls({ writes: true })).toEqual([]);
  });

  it('names the secret that does not exist', async () => {
    const fail = expectStoppedAt(
      await preflight({ DOCSPACE_API_KEY_SECRET_ID: 'docspace-idp-sync/never-created' }),
      'DocSpace API key secret docspace-idp-sync/never-created',
    );
    expect(fail).toContain('ResourceNotFoundException');
    expect(local.stack.docspace.calls()).toEqual([]);
  });

  it('names the webhook secret when it lacks the key of a sender in use', async () => {
    const { okta: _okta, ...withoutOkta } = webhookSecret();
    local.stack.secretsManager.setSecret(LOCAL.webhookSecretId, JSON.stringify(withoutOkta));
    const fail = expectStoppedAt(await preflight(), `webhook secret ${LOCAL.webhookSecretId}`);
    expect(fail).toContain('no "okta" key');
    expect(fail).toContain('OKTA_ORG_URL is set');
  });

  it('names the sender API secret when a sender in use has no credentials there', async () => {
    const { bamboohr: _bamboohr, ...withoutBamboo } = SENDER_CREDENTIALS;
    local.stack.secretsManager.setSecret(LOCAL.senderApiSecretId, JSON.stringify(withoutBamboo));
    const fail = expectStoppedAt(await preflight(), `sender API secret ${LOCAL.senderApiSecretId}`);
    expect(fail).toContain('no "bamboohr" credentials');
    expect(fail).toContain('{"bamboohr": {"apiKey": "…"}}');
  });

  it('names the sender whose API refuses its credentials', async () => {
    local.stack.secretsManager.setSecret(
      LOCAL.senderApiSecretId,
      JSON.stringify({ ...SENDER_CREDENTIALS, hibob: { serviceUserId: 'SERVICE-LOCAL', token: 'revoked' } }),
    );
    const fail = expectStoppedAt(await preflight(), /^hibob API .* answers with its credentials$/);
    expect(fail).toContain('401');
  });

  it('skips a sender whose API URL is unset, and the queue in sync mode', async () => {
    const run = await preflight({ OKTA_ORG_URL: '', DELIVERY_MODE: 'sync' });
    expect(run.code).toBe(0);
    expect(run.lines).toContain(
      "skip okta API: OKTA_ORG_URL is not set, so nothing reads okta's API (its webhooks then need every value in the payload, and reconcile cannot run)",
    );
    expect(run.lines.at(-1)).toBe('skip events queue: DELIVERY_MODE is sync: the doors apply, nothing is queued');
  });

  it('names the settings check with the bad setting, before any request', async () => {
    const fail = expectStoppedAt(await preflight({ DOCSPACE_URL: 'portal.example.com' }), 'settings');
    expect(fail).toContain('DOCSPACE_URL');
    expect(local.stack.secretsManager.calls).toEqual({});
  });

  it('refuses an unknown option before anything is read (exit 64)', async () => {
    const run = await preflightCli(['--stagee', 'prod']);
    expect(run.code).toBe(64);
    expect(run.lines).toEqual([]);
    expect(run.stderr).toContain("Unknown option '--stagee'");
    expect(local.stack.docspace.calls()).toEqual([]);
    expect(local.stack.secretsManager.calls).toEqual({});
    expect(local.stack.senderApis.calls).toEqual([]);
  });

  it('--help says what it checks and reads nothing', async () => {
    const run = await preflightCli(['--help']);
    expect(run.code).toBe(0);
    expect(run.lines[0]).toBe('usage: npm run preflight [-- --stage <stage>]');
    expect(local.stack.secretsManager.calls).toEqual({});
  });
});
