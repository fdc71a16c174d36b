/**
 * A stage's configuration as `serverless deploy --stage <stage>` would resolve it, from `serverless print`: the same
 * serverless.yml with `${env:…}` taken from the caller's shell, `${sls:stage}`, `${self:…}` and `${opt:…}` resolved,
 * and no AWS call (it works with no AWS account). So the settings checked are the ones a deploy from this shell
 * would give the functions; values CloudFormation fills in at deploy time (`Ref`, `Fn::GetAtt`) stay unknown.
 */
import { spawn } from 'node:child_process';
import { functionRoles, type FunctionRole } from './iam';

interface StageFunction {
  /** The function's key in serverless.yml (`userCreated`). */
  name: string;
  /** Its handler module's name (`userCreated` for `handlers/userCreated.handler`). */
  handler: string;
  /** The settings it gets: the provider's environment with its own over it. */
  env: Record<string, string>;
  role: FunctionRole;
}

export interface StageConfig {
  stage: string;
  region: string;
  functions: StageFunction[];
  /** Settings whose value CloudFormation fills in at deploy time: not checked here. */
  deployTime: string[];
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** An `environment:` block as strings; the names of values that are intrinsic functions go to `deployTime`. */
function environment(block: unknown, deployTime: Set<string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(isObject(block) ? block : {})) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[name] = String(value);
    else if (value !== null && value !== undefined) deployTime.add(name);
  }
  return out;
}

/** The parts of `serverless print`'s JSON that preflight checks. */
export function stageConfig(stage: string, config: Record<string, unknown>): StageConfig {
  const provider = isObject(config.provider) ? config.provider : {};
  const deployTime = new Set<string>();
  const shared = environment(provider.environment, deployTime);
  const roles = functionRoles(config);
  const functions = Object.entries(isObject(config.functions) ? config.functions : {}).map(([name, fn]): StageFunction => {
    const own = isObject(fn) ? fn : {};
    const handler = typeof own.handler === 'string' ? (own.handler.split('/').pop() ?? '').replace(/\.[^.]+$/, '') : name;
    return { name, handler, env: { ...shared, ...environment(own.environment, deployTime) }, role: roles.get(name) as FunctionRole };
  });
  return {
    stage,
    region: typeof provider.region === 'string' ? provider.region : 'us-east-1',
    functions,
    deployTime: [...deployTime].sort(),
  };
}

/** Runs `npx serverless print --stage <stage> --format json` in `cwd` with the caller's environment. */
export function printStage(stage: string, cwd: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['serverless', 'print', '--stage', stage, '--format', 'json'], {
      cwd,
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      const said = (stderr.trim() || stdout.trim())
        .split('\n')
        .filter((l) => !/^npm notice/.test(l))
        .slice(-3)
        .join(' ');
      if (code !== 0) return reject(new Error(`serverless print --stage ${stage} failed (exit ${code ?? 'signal'}): ${said}`));
      try {
        const parsed = JSON.parse(stdout.slice(stdout.indexOf('{'))) as unknown;
        if (!isObject(parsed)) throw new Error('not an object');
        resolve(parsed);
      } catch {
        reject(new Error(`serverless print --stage ${stage} printed no JSON configuration: ${said}`));
      }
    });
  });
}
