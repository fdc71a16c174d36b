/**
 * A Secrets Manager emulator speaking the service's real JSON protocol (awsJson1_1: `POST /` with
 * `X-Amz-Target: secretsmanager.<Operation>`), so the functions' AWS SDK client (lib/secrets/secretsManager.ts)
 * reaches it through AWS_ENDPOINT_URL_SECRETS_MANAGER. Enough for this project: GetSecretValue, CreateSecret, PutSecretValue.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpEmulator, readBody, sendJson } from './http';

interface StoredSecret {
  name: string;
  arn: string;
  value: string;
  versionId: string;
  createdAt: number;
}

const AMZ_JSON = { 'content-type': 'application/x-amz-json-1.1' };

export class SecretsManagerEmulator extends HttpEmulator {
  /** Calls received, by operation: what the economy checks (one fetch per warm container) count. */
  readonly calls: Record<string, number> = {};
  private readonly secrets = new Map<string, StoredSecret>();

  /** Creates the secret or stores a new current version of it. */
  setSecret(name: string, value: string): void {
    const existing = this.secrets.get(name);
    const arn = existing?.arn ?? `arn:aws:secretsmanager:us-east-1:000000000000:secret:${name}-${randomUUID().slice(0, 6)}`;
    this.secrets.set(name, { name, arn, value, versionId: randomUUID(), createdAt: Date.now() / 1000 });
  }

  callCount(operation: string): number {
    return this.calls[operation] ?? 0;
  }

  resetCalls(): void {
    for (const key of Object.keys(this.calls)) delete this.calls[key];
  }

  private find(id: unknown): StoredSecret | undefined {
    if (typeof id !== 'string') return undefined;
    return this.secrets.get(id) ?? [...this.secrets.values()].find((s) => s.arn === id);
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = String(req.headers['x-amz-target'] ?? '');
    const text = await readBody(req);
    const fail = (status: number, type: string, message: string) =>
      sendJson(res, status, { __type: type, message }, { ...AMZ_JSON, 'x-amzn-requestid': randomUUID() });
    if (req.method !== 'POST' || !target.startsWith('secretsmanager.')) {
      return fail(400, 'UnknownOperationException', `unknown operation ${target || '(none)'}`);
    }
    if (!String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256')) {
      return fail(400, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
    }
    let input: Record<string, unknown>;
    try {
      input = JSON.parse(text || '{}') as Record<string, unknown>;
    } catch {
      return fail(400, 'SerializationException', 'request body is not JSON');
    }
    const operation = target.slice('secretsmanager.'.length);
    this.calls[operation] = (this.calls[operation] ?? 0) + 1;
    const ok = (body: unknown) => sendJson(res, 200, body, { ...AMZ_JSON, 'x-amzn-requestid': randomUUID() });

    switch (operation) {
      case 'GetSecretValue': {
        const secret = this.find(input.SecretId);
        if (!secret) return fail(400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
        return ok({
          ARN: secret.arn,
          Name: secret.name,
          VersionId: secret.versionId,
          SecretString: secret.value,
          VersionStages: ['AWSCURRENT'],
          CreatedDate: secret.createdAt,
        });
      }
      case 'CreateSecret': {
        if (typeof input.Name !== 'string' || typeof input.SecretString !== 'string') {
          return fail(400, 'InvalidParameterException', 'Name and SecretString are required');
        }
        if (this.secrets.has(input.Name)) {
          return fail(400, 'ResourceExistsException', `The operation failed because the secret ${input.Name} already exists.`);
        }
        this.setSecret(input.Name, input.SecretString);
        const created = this.secrets.get(input.Name) as StoredSecret;
        return ok({ ARN: created.arn, Name: created.name, VersionId: created.versionId });
      }
      case 'PutSecretValue': {
        const secret = this.find(input.SecretId);
        if (!secret) return fail(400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
        if (typeof input.SecretString !== 'string') return fail(400, 'InvalidParameterException', 'SecretString is required');
        this.setSecret(secret.name, input.SecretString);
        const updated = this.secrets.get(secret.name) as StoredSecret;
        return ok({ ARN: updated.arn, Name: updated.name, VersionId: updated.versionId, VersionStages: ['AWSCURRENT'] });
      }
      default:
        return fail(400, 'UnknownOperationException', `operation ${operation} is not emulated`);
    }
  }
}
