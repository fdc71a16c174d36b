/**
 * `npm run preflight` as a reader runs it: `npx tsx scripts/preflight.ts`, a child process, with the environment
 * pointing at an ephemeral local stack (the shell's settings win over npm start's defaults, as they do for a reader).
 * Every line ok on a fresh stack; otherwise the failing check is named, the run stops there and exits 1. And once
 * with --stage, where the settings come from `serverless print` as a deploy from this shell would make them.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SENDER_CREDENTIALS } from '../../local/emulators/senderApis';
import { LOCAL, startLocalStack, type LocalStack } from '../../local/stack';
import { secretsIn } from '../setup/logGuard';

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack();
});
afterAll(async () => {
  await stack?.stop();
});

const webhookSecret = () => ({ standardWebhooks: LOCAL.signingSecret, ...LOCAL.senderSecrets, scim: LOCAL.scimToken });

beforeEach(() => {
  stack.secretsManager.setSecret(LOCAL.apiKeySecretId, JSON.stringify({ apiKey: LOCAL.apiKey }));
  stack.secretsManager.setSecret(LOCAL.webhookSecretId, JSON.stringify(webhookSecret()));
  stack.secretsManager.setSecret(LOCAL.senderApiSecretId, JSON.stringify(SENDER_CREDENTIALS));
  stack.secretsManager.resetCalls();
  stack.docspace.reset();
  stack.senderApis.reset();
});

interface Run {
  code: number | null;
  lines: string[];
  stderr: string;
}

/** Runs the CLI with the stack's environment (queue mode, as npm start runs), `env` over it. */
function preflight(args: string[] = [], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'scripts/preflight.ts', ...args], { env: { ...process.env, ...stack.env, DELIVERY_MODE: 'queue', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      expect(secretsIn(stdout + stderr)).toEqual([]);
      resolve({ code, lines: stdout.split('\n').filter(Boolean), stderr });
    });
  });
}

/** The check a line is about: its text after the status, up to the detail or the problem. */
const checkOf = (line: string) => line.slice(5).split(/ \(|: /)[0];

const LOCAL_CHECKS = [
  'settings',
  `DocSpace API key secret ${LOCAL.apiKeySecretId}`,
  `webhook secret ${LOCAL.webhookSecretId}`,
  `sender API secret ${LOCAL.senderApiSecretId}`,
  expect.stringMatching(/^DocSpace http:\/\/127\.0\.0\.1:\d+ answers with the key$/),
  'DocSpace key may manage members',
  expect.stringMatching(/^okta API .* answers with its credentials$/),
  expect.stringMatching(/^bamboohr API .* answers with its credentials$/),
  expect.stringMatching(/^hibob API .* answers with its credentials$/),
  `events table ${LOCAL.eventsTable}`,
  'events queue',
];

/** The run stopped at its last line, a FAIL of `check`, and exited 1. */
function expectStoppedAt(run: Run, check: string | RegExp): string {
  expect(run.code).toBe(1);
  const last = run.lines.at(-1) ?? '';
  expect(last.startsWith('FAIL ')).toBe(true);
  expect(checkOf(last)).toMatch(check);
  expect(run.lines.slice(0, -1).every((l) => l.startsWith('ok   '))).toBe(true);
  return last;
}

describe('npm run preflight against the local stack', () => {
  it('passes: one ok line per check, in order, exit 0; reads only', async () => {
    const run = await preflight();
    expect(run.lines.every((l) => l.startsWith('ok   '))).toBe(true);
    expect(run.lines.map(checkOf)).toEqual(LOCAL_CHECKS);
    expect(run.code).toBe(0);
    expect(run.lines.find((l) => l.includes('may manage members'))).toContain('the portal owner');
    expect(stack.docspace.calls()).toEqual([expect.objectContaining({ method: 'GET', path: '/api/2.0/people/@self', status: 200 })]);
    expect(stack.senderApis.calls.map((c) => c.status)).toEqual([200, 200, 200]);
  });

  it('names the DocSpace check when the key in the secret is not one DocSpace knows (401), and stops there', async () => {
    stack.secretsManager.setSecret(LOCAL.apiKeySecretId, JSON.stringify({ apiKey: `sk-${'f'.repeat(64)}` }));
    const run = await preflight();
    const fail = expectStoppedAt(run, /^DocSpace .* answers with the key$/);
    expect(fail).toContain('DocSpace answered 401 to GET api/2.0/people/@self');
    expect(fail).toContain(`put it in secret ${LOCAL.apiKeySecretId}`);
    expect(stack.senderApis.calls).toEqual([]);
  });

  it("names the permission check when the key is a member's who may not manage members", async () => {
    const roomAdmin = stack.docspace.addMember({ email: 'room.admin@example.com', type: 1 });
    const key = `sk-${'a'.repeat(64)}`;
    stack.docspace.addApiKey(key, roomAdmin.id);
    stack.secretsManager.setSecret(LOCAL.apiKeySecretId, key);
    const fail = expectStoppedAt(await preflight(), 'DocSpace key may manage members');
    expect(fail).toContain("the key is a RoomAdmin's");
    expect(stack.docspace.calls({ writes: true })).toEqual([]);
  });

  it('names the secret that does not exist', async () => {
    const fail = expectStoppedAt(await preflight([], { DOCSPACE_API_KEY_SECRET_ID: 'docspace-idp-sync/never-created' }), 'DocSpace API key secret docspace-idp-sync/never-created');
    expect(fail).toContain('ResourceNotFoundException');
    expect(stack.docspace.calls()).toEqual([]);
  });

  it('names the webhook secret when it lacks the key of a sender in use', async () => {
    const { okta: _okta, ...withoutOkta } = webhookSecret();
    stack.secretsManager.setSecret(LOCAL.webhookSecretId, JSON.stringify(withoutOkta));
    const fail = expectStoppedAt(await preflight(), `webhook secret ${LOCAL.webhookSecretId}`);
    expect(fail).toContain('no "okta" key');
    expect(fail).toContain('OKTA_ORG_URL is set');
  });

  it('names the sender API secret when a sender in use has no credentials there', async () => {
    const { bamboohr: _bamboohr, ...withoutBamboo } = SENDER_CREDENTIALS;
    stack.secretsManager.setSecret(LOCAL.senderApiSecretId, JSON.stringify(withoutBamboo));
    const fail = expectStoppedAt(await preflight(), `sender API secret ${LOCAL.senderApiSecretId}`);
    expect(fail).toContain('no "bamboohr" credentials');
    expect(fail).toContain('{"bamboohr": {"apiKey": "…"}}');
  });

  it("names the sender whose API refuses its credentials", async () => {
    stack.secretsManager.setSecret(LOCAL.senderApiSecretId, JSON.stringify({ ...SENDER_CREDENTIALS, hibob: { serviceUserId: 'SERVICE-LOCAL', token: 'revoked' } }));
    const fail = expectStoppedAt(await preflight(), /^hibob API .* answers with its credentials$/);
    expect(fail).toContain('401');
  });

  it('skips a sender whose API URL is unset, and the queue in sync mode', async () => {
    const run = await preflight([], { OKTA_ORG_URL: '', DELIVERY_MODE: 'sync' });
    expect(run.code).toBe(0);
    expect(run.lines).toContain("skip okta API: OKTA_ORG_URL is not set, so nothing reads okta's API (its webhooks then need every value in the payload, and reconcile cannot run)");
    expect(run.lines.at(-1)).toBe('skip events queue: DELIVERY_MODE is sync: the doors apply, nothing is queued');
  });

  it('names the settings check with the bad setting, before any request', async () => {
    const fail = expectStoppedAt(await preflight([], { DOCSPACE_URL: 'portal.example.com' }), 'settings');
    expect(fail).toContain('DOCSPACE_URL');
    expect(stack.secretsManager.calls).toEqual({});
  });

  it('refuses an unknown option before anything is read (exit 64)', async () => {
    const run = await preflight(['--stagee', 'prod']);
    expect(run.code).toBe(64);
    expect(run.lines).toEqual([]);
    expect(run.stderr).toContain("Unknown option '--stagee'");
    expect(stack.docspace.calls()).toEqual([]);
    expect(stack.secretsManager.calls).toEqual({});
    expect(stack.senderApis.calls).toEqual([]);
  });

  it('--help says what it checks and reads nothing', async () => {
    const run = await preflight(['--help']);
    expect(run.code).toBe(0);
    expect(run.lines[0]).toBe('usage: npm run preflight [-- --stage <stage>]');
    expect(stack.secretsManager.calls).toEqual({});
  });
});

describe('npm run preflight -- --stage', () => {
  it("checks the stage's configuration as a deploy from this shell would make it, the roles that read the secrets first", async () => {
    const run = await preflight(['--stage', 'preflight-test']);
    expect(run.lines.every((l) => l.startsWith('ok   '))).toBe(true);
    expect(run.lines[0]).toMatch(/^ok {3}settings \(stage preflight-test in us-east-1: \d+ functions, queue mode/);
    expect(run.lines[1]).toBe("ok   the functions' roles may read their secrets (the stage's shared role, provider.iam.role.statements: 11 function(s))");
    expect(run.lines.slice(2).map(checkOf)).toEqual(LOCAL_CHECKS.slice(1));
    expect(run.code).toBe(0);
  }, 90_000);

  it("names the roles check when a function's role does not allow reading a secret it reads, before any secret is read", async () => {
    // serverless.yml builds each statement's ARN from the secret's *name*: a secret given by its ARN gets no grant.
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:docspace-idp-sync/source-api-AbC123';
    const run = await preflight(['--stage', 'preflight-test'], { SENDER_API_SECRET_ID: arn });
    const fail = expectStoppedAt(run, "the functions' roles may read their secrets");
    expect(fail).toContain(`oktaHook, bamboohrHook, hibobHook, reconcile read secret ${arn} and run with the stage's shared role, provider.iam.role.statements, which does not allow secretsmanager:GetSecretValue on it`);
    expect(stack.secretsManager.calls).toEqual({});
  }, 90_000);
});
