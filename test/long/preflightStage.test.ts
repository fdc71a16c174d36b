/**
 * `npm run preflight -- --stage`: the stage's settings come from `serverless print`, as a deploy from this shell would
 * make them (a framework spawn each: the long suite).
 */
import { describe, expect, it } from 'vitest';
import { checkOf, expectStoppedAt, LOCAL_CHECKS, preflightCli, usePreflightStack } from '../support/preflight';

const local = usePreflightStack();

describe('npm run preflight -- --stage', () => {
  it("checks the stage's configuration as a deploy from this shell would make it, the roles that read the secrets first", async () => {
    const run = await preflightCli(['--stage', 'preflight-test']);
    expect(run.lines.every((l) => l.startsWith('ok   '))).toBe(true);
    expect(run.lines[0]).toMatch(/^ok {3}settings \(stage preflight-test in us-east-1: \d+ functions, queue mode/);
    expect(run.lines[1]).toBe(
      "ok   the functions' roles may read their secrets (the stage's shared role, provider.iam.role.statements: 11 function(s))",
    );
    expect(run.lines.slice(2).map(checkOf)).toEqual(LOCAL_CHECKS.slice(1));
    expect(run.code).toBe(0);
  }, 90_000);

  it("names the roles check when a function's role does not allow reading a secret it reads, before any secret is read", async () => {
    // serverless.yml builds each statement's ARN from the secret's *name*: a secret given by its ARN gets no grant.
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:docspace-idp-sync/source-api-AbC123';
    const run = await preflightCli(['--stage', 'preflight-test'], { SENDER_API_SECRET_ID: arn });
    const fail = expectStoppedAt(run, "the functions' roles may read their secrets");
    expect(fail).toContain(
      `oktaHook, bamboohrHook, hibobHook, reconcile read secret ${arn} and run with the stage's shared role, provider.iam.role.statements, which does not allow secretsmanager:GetSecretValue on it`,
    );
    expect(local.stack.secretsManager.calls).toEqual({});
  }, 90_000);
});
