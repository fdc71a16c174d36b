/**
 * Running what the docs say, as a reader's shell would: each block by `bash -euo pipefail -c` in its own process
 * group (so that everything it starts can be stopped together), with the environment of a machine that has none of
 * the project's settings; services waited for until their output says they are ready, stopped with SIGINT as a
 * reader's Ctrl-C, and their ports waited for until they are free again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';

/** The ports npm start and npm run emulators listen on by default. */
export const DEFAULT_PORTS = [3000, 3002, 8090, 4566, 8000, 8095, 9324];

/** Variables a reader's shell does not have: the test runner's and npm's own, AWS's, and every project setting. */
export function readerEnv(settingNames: Iterable<string>): NodeJS.ProcessEnv {
  const drop = new Set([
    ...settingNames,
    'INIT_CWD',
    'DOCSPACE_PORT',
    'SECRETS_MANAGER_PORT',
    'DYNAMODB_PORT',
    'SENDER_APIS_PORT',
    'SQS_PORT',
    'OFFLINE_HTTP_PORT',
    'OFFLINE_LAMBDA_PORT',
    'SEND_URL',
    'QUEUE_DLQ_URL',
    'QUEUE_MAX_RECEIVES',
    'TEST_LOGS',
    'DOCS',
  ]);
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (drop.has(name) || /^(VITEST|npm_|AWS_|POWERTOOLS_)/i.test(name)) continue;
    // What vitest sets for the code under test.
    if ((name === 'NODE_ENV' || name === 'MODE') && value === 'test') continue;
    if (name === 'TEST' && value === 'true') continue;
    env[name] = value;
  }
  // npm run puts the project's node_modules/.bin first on PATH; a reader's shell has no such entry.
  env.PATH = (process.env.PATH ?? '')
    .split(':')
    .filter((p) => !p.includes('node_modules/.bin'))
    .join(':');
  return env;
}

// eslint-disable-next-line no-control-regex -- the escape character is what an ANSI colour code starts with
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;
const MAX_OUTPUT = 4_000_000;

/** Every process group this module started and has not yet seen end: killed when the test process exits. */
const groups = new Set<number>();
const killAll = () => {
  for (const pgid of groups) signalGroup(pgid, 'SIGKILL');
};
process.on('exit', killAll);
// The groups are detached, so a Ctrl-C on the test run does not reach them: this process takes them along.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    killAll();
    process.kill(process.pid, signal);
  });
}

function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A shell in a process group of its own, its stdout and stderr kept together, in order. */
export class Shell {
  output = '';
  exitCode: number | null | undefined;
  readonly exited: Promise<number | null>;
  /** The output streams are closed: everything the group wrote has been read. */
  private readonly closed: Promise<void>;
  private readonly child: ChildProcess;
  private readonly listeners = new Set<() => void>();

  constructor(script: string, options: { cwd: string; env: NodeJS.ProcessEnv }) {
    this.child = spawn('bash', ['-euo', 'pipefail', '-c', script], {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const pgid = this.child.pid;
    if (pgid !== undefined) groups.add(pgid);
    const take = (chunk: Buffer) => {
      this.output += chunk.toString('utf8').replace(ANSI, '');
      if (this.output.length > MAX_OUTPUT) this.output = this.output.slice(-MAX_OUTPUT / 2);
      for (const listener of this.listeners) listener();
    };
    this.child.stdout?.on('data', take);
    this.child.stderr?.on('data', take);
    this.exited = new Promise((resolve) => {
      this.child.on('error', (error) => {
        this.output += `\n[could not start bash: ${error.message}]\n`;
        this.exitCode = -1;
        resolve(-1);
      });
      // 'exit', not 'close': a process the shell left in the background may hold its stdout open.
      this.child.on('exit', (code, signal) => {
        this.exitCode = code ?? (signal ? 128 + signalNumber(signal) : -1);
        for (const listener of this.listeners) listener();
        resolve(this.exitCode);
      });
    });
    this.closed = new Promise((resolve) => this.child.on('close', () => resolve()));
  }

  get pgid(): number | undefined {
    return this.child.pid;
  }

  /** Resolves true once the output contains `text`, false if the shell ends first or `timeoutMs` passes. */
  waitFor(text: string, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.output.includes(text)) done(true);
        else if (this.exitCode !== undefined) done(false);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        resolve(ok);
      };
      this.listeners.add(check);
      check();
    });
  }

  /** Waits up to `timeoutMs` for the shell to end; false if it is still running. */
  async waitExit(timeoutMs: number): Promise<boolean> {
    return Promise.race([this.exited.then(() => true), sleep(timeoutMs).then(() => false)]);
  }

  /** True while any process of its group is alive (the shell itself, or anything it left running). */
  groupAlive(): boolean {
    return this.pgid !== undefined && signalGroup(this.pgid, 0);
  }

  /**
   * Ends the whole process group: `first` (SIGINT, as Ctrl-C in a terminal, or SIGTERM), then SIGTERM and SIGKILL
   * for what is still there after `graceMs`. Returns the signals it had to send.
   */
  async stopGroup(first: NodeJS.Signals, graceMs: number): Promise<NodeJS.Signals[]> {
    const pgid = this.pgid;
    const sent: NodeJS.Signals[] = [];
    if (pgid === undefined) return sent;
    for (const [signal, wait] of [
      [first, graceMs],
      ['SIGTERM', 5_000],
      ['SIGKILL', 5_000],
    ] as const) {
      if (!this.groupAlive()) break;
      if (sent.includes(signal)) continue;
      signalGroup(pgid, signal);
      sent.push(signal);
      const deadline = Date.now() + wait;
      while (this.groupAlive() && Date.now() < deadline) await sleep(100);
    }
    await this.waitExit(5_000);
    if (!this.groupAlive()) groups.delete(pgid);
    await Promise.race([this.closed, sleep(2_000)]);
    return sent;
  }
}

function signalNumber(signal: NodeJS.Signals): number {
  return ({ SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 } as Record<string, number>)[signal] ?? 0;
}

/** True when something accepts a connection on the port, on IPv4 or IPv6 loopback. */
function listening(port: number): Promise<boolean> {
  const probe = (host: string) =>
    new Promise<boolean>((resolve) => {
      const socket = connect({ port, host });
      socket.setTimeout(1_000);
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('timeout', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(false));
    });
  return Promise.all([probe('127.0.0.1'), probe('::1')]).then(([a, b]) => a || b);
}

/** Waits until none of the ports is listened on; returns those still taken after `timeoutMs`. */
export async function waitPortsFree(ports: number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const taken = (await Promise.all(ports.map(async (p) => ((await listening(p)) ? p : undefined)))).filter(
      (p): p is number => p !== undefined,
    );
    if (taken.length === 0 || Date.now() > deadline) return taken;
    await sleep(250);
  }
}

/** The last `n` lines of an output, for a failure message. */
export function tail(output: string, n = 60): string {
  const lines = output.replace(/\n$/, '').split('\n');
  return (lines.length > n ? [`… (${lines.length - n} lines before)`, ...lines.slice(-n)] : lines).join('\n');
}
