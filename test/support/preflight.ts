/**
 * `npm run preflight` against an ephemeral local stack: as a reader runs it (`npx tsx scripts/preflight.ts`, a child
 * process, the shell's settings over npm start's defaults), or — where a test only asks which check fails — the same
 * checks in this process, with the same environment.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { preflight as runChecks } from '../../lib/preflight/preflight';
import { setEnv } from '../../local/lambda';
import { SENDER_CREDENTIALS } from '../../local/emulators/senderApis';
import { LOCAL, startLocalStack, type LocalStack } from '../../local/stack';
import { secretsIn } from '../setup/logGuard';

let started: LocalStack | undefined;

/** The stack of this test file, started before its tests, with the secrets put back before each. */
export function usePreflightStack(): { readonly stack: LocalStack } {
  beforeAll(async () => {
    started = await startLocalStack();
  });
  afterAll(async () => {
    await started?.stop();
  });
  beforeEach(() => {
    const stack = current();
    stack.secretsManager.setSecret(LOCAL.apiKeySecretId, JSON.stringify({ apiKey: LOCAL.apiKey }));
    stack.secretsManager.setSecret(LOCAL.webhookSecretId, JSON.stringify(webhookSecret()));
    stack.secretsManager.setSecret(LOCAL.senderApiSecretId, JSON.stringify(SENDER_CREDENTIALS));
    stack.secretsManager.resetCalls();
    stack.docspace.reset();
    stack.senderApis.reset();
  });
  return {
    get stack() {
      return current();
    },
  };
}

function current(): LocalStack {
  if (!started) throw new Error('the local stack starts in beforeAll');
  return started;
}

export const webhookSecret = () => ({ standardWebhooks: LOCAL.signingSecret, ...LOCAL.senderSecrets, scim: LOCAL.scimToken });

export interface Run {
  code: number | null;
  lines: string[];
  stderr: string;
}

/** Runs the CLI with the stack's environment (queue mode, as npm start runs), `env` over it. */
export function preflightCli(args: string[] = [], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'scripts/preflight.ts', ...args], {
      env: { ...process.env, ...current().env, DELIVERY_MODE: 'queue', ...env },
    });
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

/** The same checks in this process, with the environment the CLI would have; the code the CLI would exit with. */
export async function preflight(env: Record<string, string> = {}): Promise<Run> {
  // Secrets read afresh each run, as each CLI run does (a process of its own).
  const restore = setEnv({ ...current().env, DELIVERY_MODE: 'queue', SECRETS_TTL_SECONDS: '0', ...env });
  const lines: string[] = [];
  try {
    const passed = await runChecks({ kind: 'local', env: process.env }, (line) => lines.push(line));
    expect(secretsIn(lines.join('\n'))).toEqual([]);
    return { code: passed ? 0 : 1, lines, stderr: '' };
  } finally {
    restore();
  }
}

/** The check a line is about: its text after the status, up to the detail or the problem. */
export const checkOf = (line: string) => line.slice(5).split(/ \(|: /)[0];

export const LOCAL_CHECKS = [
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
export function expectStoppedAt(run: Run, check: string | RegExp): string {
  expect(run.code).toBe(1);
  const last = run.lines.at(-1) ?? '';
  expect(last.startsWith('FAIL ')).toBe(true);
  expect(checkOf(last)).toMatch(check);
  expect(run.lines.slice(0, -1).every((l) => l.startsWith('ok   '))).toBe(true);
  return last;
}
