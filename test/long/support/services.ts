/**
 * The long-running commands the docs declare (```sh service id=… ready="…" [needs=…]```) and the one stack of them
 * that is up at a time: they all listen on the default ports, so starting one means stopping the others first.
 */
import type { Fence } from './markdown';
import { DEFAULT_PORTS, Shell, tail, waitPortsFree } from './processes';

export interface ServiceDef {
  id: string;
  file: string;
  line: number;
  script: string;
  ready: string;
  needs: string | undefined;
}

export const READY_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 20_000;
const PORTS_TIMEOUT_MS = 30_000;

const where = (d: { file: string; line: number }) => `${d.file}:${d.line}`;

/**
 * In the repository the dependencies are installed already (npm test ran `npm ci`; a worktree may share another's
 * node_modules), so a service that begins with `npm ci &&` starts from what follows; the fresh-clone test runs the
 * whole block.
 */
export function withoutInstall(script: string): string {
  return script.replace(/^\s*npm ci\b[^&;\n]*(&&|;|\n)\s*/, '');
}

/** Service definitions by id; a problem for a block without id or ready, or an id defined twice differently. */
export function serviceDefinitions(fences: Fence[]): { services: Map<string, ServiceDef>; problems: string[] } {
  const services = new Map<string, ServiceDef>();
  const problems: string[] = [];
  for (const f of fences.filter((x) => x.kind === 'service')) {
    const { id, ready, needs } = f.attrs;
    if (!id || !ready) {
      problems.push(`${where(f)}: a service block needs id=<id> and ready="<text>" (has: ${f.info})`);
      continue;
    }
    const def: ServiceDef = { id, file: f.file, line: f.line, script: f.body, ready, needs: needs && needs !== 'none' ? needs : undefined };
    const seen = services.get(id);
    if (!seen) services.set(id, def);
    else if (
      withoutInstall(seen.script).trim() !== withoutInstall(def.script).trim() ||
      seen.ready !== def.ready ||
      seen.needs !== def.needs
    ) {
      problems.push(`${where(f)}: service id=${id} is already defined differently at ${where(seen)}`);
    }
  }
  for (const def of services.values()) {
    const chain = new Set<string>([def.id]);
    for (let need = def.needs; need; need = services.get(need)?.needs) {
      if (!services.has(need)) {
        problems.push(`${where(def)}: service ${def.id} needs ${need}, which no service block defines`);
        break;
      }
      if (chain.has(need)) {
        problems.push(`${where(def)}: service ${def.id} needs itself (${[...chain, need].join(' → ')})`);
        break;
      }
      chain.add(need);
    }
  }
  return { services, problems };
}

/** How long each start and stop took (a stop: until the group ended and the ports were free), for the closing summary. */
export const serviceTimes: { what: 'start' | 'stop'; id: string; at: string; ms: number }[] = [];

interface Running {
  def: ServiceDef;
  shell: Shell;
}

export class ServiceStack {
  private running: Running[] = [];
  /** Services that failed to start on this page: later blocks that need them fail at once with the same message. */
  private readonly failed = new Map<string, string>();

  constructor(
    private readonly services: Map<string, ServiceDef>,
    private readonly options: { cwd: string; env: NodeJS.ProcessEnv; ports?: number[] },
  ) {}

  get top(): string | undefined {
    return this.running.at(-1)?.def.id;
  }

  /** Makes `id` (and what it needs) the running stack; kept if it is already on top. */
  async ensure(id: string): Promise<void> {
    if (this.top === id) return;
    const def = this.services.get(id);
    if (!def) throw new Error(`no \`sh service id=${id} …\` block in the docs defines the service \`${id}\``);
    await this.startChain(def);
  }

  /** Starts a service from its own block (its needs from their definitions), unless it is already on top. */
  async startBlock(def: ServiceDef): Promise<void> {
    if (this.top === def.id) return;
    await this.startChain(def);
  }

  private async startChain(def: ServiceDef): Promise<void> {
    const known = this.failed.get(def.id);
    if (known) throw new Error(known);
    await this.stopAll();
    const chain: ServiceDef[] = [def];
    for (let need = def.needs; need; need = this.services.get(need)?.needs) {
      const dep = this.services.get(need);
      if (!dep) throw new Error(`${where(def)}: service ${def.id} needs ${need}, which no service block defines`);
      chain.unshift(dep);
    }
    const ports = this.options.ports ?? DEFAULT_PORTS;
    const taken = await waitPortsFree(ports, PORTS_TIMEOUT_MS);
    if (taken.length > 0)
      throw new Error(
        `port(s) ${taken.join(', ')} still in use ${PORTS_TIMEOUT_MS / 1000} s after the last service stopped: another process (npm start in a terminal?) holds them`,
      );
    for (const service of chain) {
      const started = Date.now();
      const shell = new Shell(withoutInstall(service.script), this.options);
      this.running.push({ def: service, shell });
      const ready = await shell.waitFor(service.ready, READY_TIMEOUT_MS);
      if (!ready) {
        const why =
          shell.exitCode !== undefined
            ? `exited with ${shell.exitCode}`
            : `did not print "${service.ready}" within ${READY_TIMEOUT_MS / 1000} s`;
        const message = [
          `service ${service.id} (${where(service)}) ${why}`,
          '--- its block ---',
          service.script,
          '--- the last lines of its output ---',
          tail(shell.output),
        ].join('\n');
        this.failed.set(service.id, message);
        if (service !== def) this.failed.set(def.id, message);
        await this.stopAll();
        throw new Error(message);
      }
      serviceTimes.push({ what: 'start', id: service.id, at: where(service), ms: Date.now() - started });
    }
  }

  /** Stops the running services, the last started first, each with SIGINT to its group; waits for the ports. */
  async stopAll(): Promise<string[]> {
    const notes: string[] = [];
    const started = Date.now();
    const stopped = this.running.map((r) => r.def);
    while (this.running.length > 0) {
      const { def, shell } = this.running.pop()!;
      const sent = await shell.stopGroup('SIGINT', STOP_GRACE_MS);
      if (sent.length > 1)
        notes.push(`service ${def.id} (${where(def)}) did not stop on SIGINT within ${STOP_GRACE_MS / 1000} s: sent ${sent.join(', ')}`);
    }
    const taken = await waitPortsFree(this.options.ports ?? DEFAULT_PORTS, PORTS_TIMEOUT_MS);
    if (taken.length > 0) notes.push(`port(s) ${taken.join(', ')} still in use after the services stopped`);
    const top = stopped.at(-1);
    if (top) serviceTimes.push({ what: 'stop', id: stopped.map((d) => d.id).join('+'), at: where(top), ms: Date.now() - started });
    return notes;
  }

  /** The last lines of each running service's output, for a failure message. */
  outputs(lines = 60): string {
    return this.running
      .map(({ def, shell }) => `--- the last lines of service ${def.id} (${where(def)}) ---\n${tail(shell.output, lines)}`)
      .join('\n');
  }
}
