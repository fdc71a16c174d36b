/**
 * The functions as the Serverless Framework runs them on a laptop: `serverless invoke local` on every sample in
 * events/, and the whole HTTP API under `serverless offline`, both against the emulators. Slow (each command bundles
 * with esbuild), so the two run one after the other in this one file: they share the .esbuild build folder.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTE_BY_TYPE } from '../../lib/http/routes';
import { signStandardWebhook } from '../../lib/http/standardWebhooks';
import { SENDER_NAMES } from '../../lib/senders/registry';
import { LOCAL, startLocalStack, type LocalStack } from '../../local/stack';
import { deliveryFor, SENDER_ROUTES } from '../../local/deliveries';
import { secretsIn } from '../setup/logGuard';
import { secretArnOf } from '../support/template';

let stack: LocalStack;

const FUNCTION_BY_TYPE: Record<string, string> = {
  'user.created': 'userCreated',
  'user.role_changed': 'userRoleChanged',
  'user.contact_updated': 'userContactUpdated',
  'user.deactivated': 'userStatusChanged',
  'user.reactivated': 'userStatusChanged',
};

function run(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['serverless', ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** The handler's result: the last pretty-printed JSON object invoke local writes to stdout. */
function invokeResult(stdout: string): Record<string, unknown> {
  const start = stdout.lastIndexOf('\n{\n');
  return JSON.parse(stdout.slice(start + 1)) as Record<string, unknown>;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  stack = await startLocalStack();
});

afterAll(async () => {
  await stack?.stop();
});

describe('serverless invoke local', () => {
  it('runs every sample in events/ against the emulators, with the key from the secret', { timeout: 240_000 }, async () => {
    stack.docspace.reset({ profile: 'v3.1' });
    await stack.dynamoDb.clearEventsTable(LOCAL.eventsTable);
    // The story the samples tell, in order: hire, promote, phones, drop the desk phone, demote, leave, return.
    const order = [
      'user-created',
      'user-role-changed',
      'user-contact-updated',
      'user-contact-removed',
      'user-role-changed-downgrade',
      'user-deactivated',
      'user-reactivated',
    ];
    const files = readdirSync('events')
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.replace(/\.json$/, ''));
    expect([...files].sort()).toEqual([...order].sort());

    // First the hire's plan ("dryRun": true in the payload): the writes it would make, none made, nothing stored.
    const plan = await run(['invoke', 'local', '-f', 'userCreated', '-p', 'events/plan/user-created.json'], stack.env);
    expect(plan.code, plan.stderr).toBe(0);
    expect(invokeResult(plan.stdout)).toMatchObject({
      outcome: 'planned',
      plan: [{ method: 'POST', path: '/api/2.0/people', creates: '{{member:1}}' }],
      outcomes: [{ outcome: 'created', userId: '{{member:1}}' }],
    });
    expect(stack.docspace.calls({ writes: true })).toEqual([]);
    const planLines = `${plan.stdout}\n${plan.stderr}`.split('\n').filter((l) => l.startsWith('{"level"'));
    expect(planLines.some((l) => l.includes('"event planned"'))).toBe(true);
    for (const line of planLines) expect(secretsIn(line)).toEqual([]);

    const outcomes: string[] = [];
    for (const name of order) {
      const event = JSON.parse(readFileSync(`events/${name}.json`, 'utf8')) as { type: string };
      const { code, stdout, stderr } = await run(
        ['invoke', 'local', '-f', FUNCTION_BY_TYPE[event.type] as string, '-p', `events/${name}.json`],
        stack.env,
      );
      expect(code, stderr).toBe(0);
      outcomes.push(String(invokeResult(stdout).outcome));
      for (const line of `${stdout}\n${stderr}`.split('\n').filter((l) => l.startsWith('{"level"'))) expect(secretsIn(line)).toEqual([]);
    }
    expect(outcomes).toEqual(['created', 'updated', 'updated', 'updated', 'updated', 'updated', 'updated']);
    expect(
      stack.docspace
        .calls({ writes: true })
        .filter((c) => c.path.startsWith('/api/2.0/people/status/'))
        .map((c) => c.path),
    ).toEqual(['/api/2.0/people/status/2', '/api/2.0/people/status/1']);
    const jane = stack.docspace.memberByEmail('jane.doe@example.com');
    expect(jane).toMatchObject({ type: 4, contacts: [{ type: 'mobphone', value: '+1 555 0111' }] });
    expect(stack.docspace.calls().every((c) => c.status === 200 || c.path.endsWith('/email'))).toBe(true);

    // A repeated hire creates nobody twice: the same event id gets the first answer back from the idempotency store.
    const again = await run(['invoke', 'local', '-f', 'userCreated', '-p', 'events/user-created.json'], stack.env);
    expect(invokeResult(again.stdout)).toEqual({ outcome: 'created', userId: jane?.id });
    expect(stack.docspace.calls().filter((c) => c.method === 'POST' && c.path === '/api/2.0/people')).toHaveLength(1);

    // Reconcile, as documented: `-d '{"sender":"okta"}'`. The Okta roster (John Doe) is unknown to DocSpace.
    const reconciled = await run(['invoke', 'local', '-f', 'reconcile', '-d', '{"sender":"okta"}'], {
      ...stack.env,
      DELIVERY_MODE: 'sync',
    });
    expect(reconciled.code, reconciled.stderr).toBe(0);
    expect(invokeResult(reconciled.stdout)).toMatchObject({ sender: 'okta', complete: true, drift: { missing: 1 }, applied: 1 });
    expect(stack.docspace.memberByEmail('john.doe@example.com')).toMatchObject({ type: 1 });
  });
});

describe('serverless offline', () => {
  let offline: ChildProcess | undefined;
  let baseUrl = '';

  beforeAll(async () => {
    const [httpPort, lambdaPort] = [await freePort(), await freePort()];
    baseUrl = `http://127.0.0.1:${httpPort}`;
    offline = spawn('npx', ['serverless', 'offline', 'start'], {
      // Sync mode: these tests read DocSpace right after the answer (queue mode is tested in test/integration/queue.test.ts).
      env: {
        ...process.env,
        ...stack.env,
        DELIVERY_MODE: 'sync',
        OFFLINE_HTTP_PORT: String(httpPort),
        OFFLINE_LAMBDA_PORT: String(lambdaPort),
      },
      detached: true,
    });
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serverless offline did not start:\n${output}`)), 90_000);
      const watch = (d: Buffer) => {
        output += d.toString();
        if (output.includes('Server ready')) {
          clearTimeout(timer);
          resolve();
        }
      };
      offline?.stdout?.on('data', watch);
      offline?.stderr?.on('data', watch);
      offline?.on('exit', (code) => reject(new Error(`serverless offline exited with ${code}:\n${output}`)));
    });
  }, 120_000);

  afterAll(() => {
    // The whole process group: npx, serverless and its worker threads.
    if (offline?.pid) process.kill(-offline.pid, 'SIGTERM');
  });

  const post = async (type: keyof typeof ROUTE_BY_TYPE, event: unknown, sign = true) => {
    const body = JSON.stringify(event);
    const headers = sign ? signStandardWebhook(body, LOCAL.signingSecret, `msg_${crypto.randomUUID()}`) : {};
    const res = await fetch(`${baseUrl}${ROUTE_BY_TYPE[type]}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('serves the three routes over HTTP with signature checks', { timeout: 60_000 }, async () => {
    stack.docspace.reset({ profile: 'v3.1' });
    await stack.dynamoDb.clearEventsTable(LOCAL.eventsTable);
    const hire = JSON.parse(readFileSync('events/user-created.json', 'utf8')) as Record<string, unknown>;

    const unsigned = await post('user.created', hire, false);
    expect(unsigned.status).toBe(401);
    expect(stack.docspace.calls()).toHaveLength(0);

    const first = await post('user.created', hire);
    expect(first).toMatchObject({ status: 200, body: { outcome: 'created' } });
    // A redelivery gets the first answer back, and nobody is created twice.
    expect(await post('user.created', hire)).toEqual(first);
    expect(stack.docspace.calls({ writes: true })).toHaveLength(1);
    const promote = JSON.parse(readFileSync('events/user-role-changed.json', 'utf8')) as Record<string, unknown>;
    expect(await post('user.role_changed', promote)).toMatchObject({ status: 200, body: { outcome: 'updated' } });
    const phones = JSON.parse(readFileSync('events/user-contact-updated.json', 'utf8')) as Record<string, unknown>;
    expect(await post('user.contact_updated', phones)).toMatchObject({ status: 200, body: { outcome: 'updated' } });
    expect(await post('user.contact_updated', hire)).toMatchObject({ status: 400 });

    expect(stack.docspace.memberByEmail('jane.doe@example.com')).toMatchObject({
      type: 3,
      contacts: [
        { type: 'mobphone', value: '+1 555 0111' },
        { type: 'phone', value: '+1 555 0199' },
      ],
    });
  });

  it(
    'takes every vendor sample in events/ on its sender route, with the DocSpace state a person would expect',
    { timeout: 60_000 },
    async () => {
      stack.docspace.reset({ profile: 'v3.1' });
      stack.senderApis.reset();
      await stack.dynamoDb.clearEventsTable(LOCAL.eventsTable);
      const expected: [keyof typeof SENDER_ROUTES, string, number, string][] = [
        ['okta', 'verification.request.json', 200, 'verification'],
        ['okta', 'user.lifecycle.create.json', 200, 'processed'],
        ['okta', 'user.account.update_profile.json', 200, 'processed'],
        ['okta', 'group.user_membership.add.json', 200, 'ignored'],
        ['okta', 'user.session.start.json', 200, 'ignored'],
        ['okta', 'user.lifecycle.deactivate.json', 200, 'processed'],
        ['bamboohr', 'employee.created.json', 200, 'processed'],
        ['bamboohr', 'employee.updated.json', 200, 'ignored'],
        ['bamboohr', 'employee-changed.fields.json', 200, 'ignored'],
        ['bamboohr', 'employee-changed.permissioned.json', 200, 'ignored'],
        ['bamboohr', 'employee-hired.fields.json', 200, 'processed'],
        ['bamboohr', 'employee-terminated.fields.json', 200, 'processed'],
        ['hibob', 'ping.txt', 200, 'handshake'],
        ['hibob', 'employee.created.json', 200, 'processed'],
        ['hibob', 'employee.updated.json', 200, 'processed'],
        ['hibob', 'table.entry.created.json', 200, 'ignored'],
        ['hibob', 'employee.left.json', 200, 'processed'],
      ];
      const samples = readdirSync('events', { recursive: true, encoding: 'utf8' }).filter((f) => /^(okta|bamboohr|hibob)\//.test(f));
      expect(samples.sort()).toEqual(expected.map(([sender, file]) => `${sender}/${file}`).sort());
      for (const [sender, file, status, outcome] of expected) {
        const delivery = deliveryFor(sender, readFileSync(`events/${sender}/${file}`, 'utf8'));
        const res = await fetch(`${baseUrl}${SENDER_ROUTES[sender]}`, {
          method: delivery.method,
          headers: delivery.headers,
          ...(delivery.method === 'POST' ? { body: delivery.body } : {}),
        });
        const body = (await res.json()) as { outcome?: string; verification?: string };
        expect(`${sender}/${file} ${res.status} ${body.outcome ?? (body.verification ? 'verification' : '')}`).toBe(
          `${sender}/${file} ${status} ${outcome}`,
        );
      }
      expect(stack.docspace.memberByEmail('john.doe@example.com')).toMatchObject({ type: 1, status: 2 });
      expect(stack.docspace.memberByEmail('maya.patel@example.com')).toMatchObject({
        status: 2,
        contacts: [
          { type: 'mobphone', value: '+1 555 0177' },
          { type: 'phone', value: '+1 555 0170' },
        ],
      });
      expect(stack.docspace.memberByEmail('lena.novak@example.com')).toMatchObject({
        status: 1,
        contacts: [{ type: 'mobphone', value: '+1 555 0199' }],
      });
      expect(stack.docspace.memberByEmail('noa.levi@example.com')).toMatchObject({ status: 2, firstName: 'Noa' });
    },
  );
});

describe('serverless package --stage prod', () => {
  interface Statement {
    Effect: string;
    Action: string | string[];
    Resource: unknown;
  }
  interface Template {
    Conditions?: Record<string, unknown>;
    Resources: Record<string, { Type: string; Condition?: string; Properties: Record<string, unknown> }>;
  }

  /** The stack as `serverless package --stage prod` writes it, built once for the tests below. */
  let template: Template;
  let out: string;
  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'package-'));
    const env = { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', ALARM_EMAIL: '' };
    const { code, stderr } = await run(['package', '--stage', 'prod', '--package', out], env);
    expect(code, stderr).toBe(0);
    template = JSON.parse(readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
  }, 120_000);

  it('builds the artefact without AWS, and every function may only read its three secrets and use its own table', () => {
    const resources = Object.entries(template.Resources);
    const roles = resources.filter(([, r]) => r.Type === 'AWS::IAM::Role');
    expect(roles.map(([name]) => name)).toEqual(['IamRoleLambdaExecution']);
    const functions = resources.filter(([, r]) => r.Type === 'AWS::Lambda::Function');
    // One function per canonical route, one per sender, the SCIM server, the follow-ups, the queue worker and reconcile.
    expect(functions).toHaveLength(new Set(Object.values(ROUTE_BY_TYPE)).size + SENDER_NAMES.length + 4);
    for (const [, fn] of functions) expect(fn.Properties.Role).toEqual({ 'Fn::GetAtt': ['IamRoleLambdaExecution', 'Arn'] });

    const policies = (roles[0]?.[1].Properties.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[];
    expect((roles[0]?.[1].Properties.ManagedPolicyArns as unknown[] | undefined) ?? []).toEqual([]);
    const sqsActions: string[] = [];
    for (const statement of policies.flatMap((p) => p.PolicyDocument.Statement)) {
      expect(statement.Effect).toBe('Allow');
      const actions = [statement.Action].flat();
      const text = JSON.stringify(statement.Resource);
      expect(text).not.toMatch(/"\*"/);
      if (actions.every((a) => a.startsWith('logs:'))) {
        // The framework's own statements: this service's log groups only.
        expect(text).toContain('log-group:/aws/lambda/docspace-idp-sync-prod');
      } else if (actions.every((a) => a.startsWith('secretsmanager:'))) {
        expect(actions).toEqual(['secretsmanager:GetSecretValue']);
        expect(statement.Resource).toEqual([
          secretArnOf(LOCAL.apiKeySecretId),
          secretArnOf(LOCAL.webhookSecretId),
          secretArnOf(LOCAL.senderApiSecretId),
        ]);
      } else if (actions.every((a) => a.startsWith('sqs:'))) {
        // The doors send; the worker's event source mapping receives, deletes and reads attributes: that queue only.
        expect(statement.Resource).toEqual([{ 'Fn::GetAtt': ['EventsQueue', 'Arn'] }]);
        sqsActions.push(...actions);
      } else {
        expect(actions.sort()).toEqual([
          'dynamodb:BatchGetItem',
          'dynamodb:DeleteItem',
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
        ]);
        expect(statement.Resource).toEqual([{ 'Fn::GetAtt': ['EventsTable', 'Arn'] }]);
      }
    }
    expect([...new Set(sqsActions)].sort()).toEqual([
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:ReceiveMessage',
      'sqs:SendMessage',
    ]);
    expect(template.Resources.EventsTable?.Properties).toMatchObject({
      TableName: 'docspace-idp-sync-prod-events',
      BillingMode: 'PAY_PER_REQUEST',
    });

    // Queue mode: FIFO queue and FIFO DLQ, both encrypted; redrive after QUEUE_MAX_RECEIVES; 14 days in the DLQ.
    expect(template.Resources.EventsQueue?.Properties).toMatchObject({
      QueueName: 'docspace-idp-sync-prod-events.fifo',
      FifoQueue: true,
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] }, maxReceiveCount: '5' },
    });
    expect(template.Resources.DeadLetterQueue?.Properties).toMatchObject({
      FifoQueue: true,
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1209600,
    });
    const mapping = resources.find(([, r]) => r.Type === 'AWS::Lambda::EventSourceMapping')?.[1];
    expect(mapping?.Properties).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': ['EventsQueue', 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    const worker = template.Resources.WorkerLambdaFunction?.Properties as { Environment: { Variables: Record<string, unknown> } };
    // The queue by its plain name, the same the queue resource has: `invoke local` resolves no intrinsic function in
    // `environment` without calling CloudFormation, so every value there is a plain string.
    expect(worker.Environment.Variables).toMatchObject({
      DELIVERY_MODE: 'queue',
      QUEUE_NAME: 'docspace-idp-sync-prod-events.fifo',
      QUEUE_URL: '',
      IDEMPOTENCY_KEY_PREFIX: 'docspace-idp-sync',
    });
    for (const [, fn] of functions) {
      for (const value of Object.values((fn.Properties as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables))
        expect(typeof value).toBe('string');
    }

    // Reconcile: per sender, a daily run and a resume rule every 15 minutes, each naming its sender.
    const rules = resources
      .filter(([, r]) => r.Type === 'AWS::Events::Rule')
      .map(([, r]) => r.Properties as { ScheduleExpression: string; Targets: { Input?: string }[] });
    const inputsOf = (schedule: string) =>
      rules
        .filter((r) => r.ScheduleExpression === schedule)
        .flatMap((r) => r.Targets.map((t) => JSON.parse(t.Input ?? '{}') as { sender: string; resume?: boolean }))
        .sort((a, b) => a.sender.localeCompare(b.sender));
    expect(inputsOf('cron(15 3 * * ? *)')).toEqual([...SENDER_NAMES].sort().map((sender) => ({ sender })));
    expect(inputsOf('rate(15 minutes)')).toEqual([...SENDER_NAMES].sort().map((sender) => ({ sender, resume: true })));
  });

  it('zips each function as one bundle that holds all it runs and evaluates the clients, undici and the DynamoDB stack only on first use', () => {
    const unzipped = mkdtempSync(join(tmpdir(), 'bundles-'));
    for (const zip of readdirSync(out).filter((f) => f.endsWith('.zip'))) {
      const fn = zip.replace(/\.zip$/, '');
      const listing = execFileSync('unzip', ['-Z1', join(out, zip)], { encoding: 'utf8' })
        .trim()
        .split('\n');
      expect(listing).toEqual([`handlers/${fn}.cjs`]);
      execFileSync('unzip', ['-o', '-q', join(out, zip), '-d', join(unzipped, fn)]);
      const file = join(unzipped, fn, 'handlers', `${fn}.cjs`);
      const bundle = readFileSync(file, 'utf8');
      // In the bundle, at the versions the lock pins: undici (its error codes), the SDK's Secrets Manager and SQS clients.
      expect(bundle).toContain('UND_ERR_');
      expect(bundle).toContain('secretsmanager');
      expect(bundle).toContain('AmazonSQS');
      // Every import() is evaluated in the bundle or is a require: none starts Node's ES module loader.
      expect(bundle).not.toMatch(/\bimport\("/);
      // Loading the bundle evaluates none of them: the SDK's HTTP handler would load node:http and node:https, the
      // SDK's checksums and undici node:zlib. (The services, and with them every client, are composed on the first
      // invocation; node:net is no sign, the logger's stdout on a pipe loads it.)
      const loaded = execFileSync(
        process.execPath,
        ['-e', `require(${JSON.stringify(file)}); process.stdout.write(process.moduleLoadList.join('\\n'))`],
        { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } },
      ).split('\n');
      expect(loaded.filter((m) => /^NativeModule (https?|zlib)$/.test(m))).toEqual([]);
    }
  });

  it("holds the alarms — dead letters, the queue's oldest message, DocSpace errors — and the SNS topic they go to", () => {
    const topic = template.Resources.AlarmTopic;
    expect(topic).toMatchObject({ Type: 'AWS::SNS::Topic', Properties: { TopicName: 'docspace-idp-sync-prod-alarms' } });
    // The e-mail subscription exists only when the deploy parameter is given (here it is not).
    expect(template.Resources.AlarmEmailSubscription).toEqual({
      Type: 'AWS::SNS::Subscription',
      Condition: 'AlarmEmailGiven',
      Properties: { TopicArn: { Ref: 'AlarmTopic' }, Protocol: 'email', Endpoint: '' },
    });
    expect(template.Conditions?.AlarmEmailGiven).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] });

    const alarms = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm');
    expect(alarms.map(([name]) => name).sort()).toEqual([
      'DeadLetterQueueAlarm',
      'DocSpaceErrorsAlarm',
      'QueueAgeAlarm',
      'ReconcileHeldBackAlarm',
    ]);
    const actions = {
      AlarmActions: [{ Ref: 'AlarmTopic' }],
      OKActions: [{ Ref: 'AlarmTopic' }],
      TreatMissingData: 'notBreaching',
      EvaluationPeriods: 1,
      Period: 300,
    };
    expect(template.Resources.DeadLetterQueueAlarm?.Properties).toMatchObject({
      ...actions,
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['DeadLetterQueue', 'QueueName'] } }],
      Statistic: 'Maximum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(template.Resources.QueueAgeAlarm?.Properties).toMatchObject({
      ...actions,
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['EventsQueue', 'QueueName'] } }],
      Statistic: 'Maximum',
      Threshold: '900',
      ComparisonOperator: 'GreaterThanThreshold',
    });
    // The EMF metric as lib/metrics writes it: its namespace, and the dimensions of the per-invocation line.
    expect(template.Resources.DocSpaceErrorsAlarm?.Properties).toMatchObject({
      ...actions,
      Namespace: 'DocSpaceIdpSync',
      MetricName: 'DocSpaceErrors',
      Dimensions: [
        { Name: 'service', Value: 'docspace-idp-sync' },
        { Name: 'stage', Value: 'prod' },
      ],
      Statistic: 'Sum',
      Threshold: '10',
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(template.Resources.ReconcileHeldBackAlarm?.Properties).toMatchObject({
      ...actions,
      Period: 3600,
      Namespace: 'DocSpaceIdpSync',
      MetricName: 'ReconcileHeldBackRuns',
      Dimensions: [
        { Name: 'service', Value: 'docspace-idp-sync' },
        { Name: 'stage', Value: 'prod' },
      ],
      Statistic: 'Sum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    // ... which every function writes under its stage.
    const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    for (const fn of functions) expect((fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables.STAGE).toBe('prod');
  });
});
