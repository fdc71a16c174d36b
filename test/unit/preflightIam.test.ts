/**
 * Preflight's reading of a stage's packaged configuration: which role each function runs with, and whether its
 * statements allow GetSecretValue on a secret, as `serverless print` shows them (this project's own statement shape
 * first, then the other ways serverless.yml can give a role).
 */
import { describe, expect, it } from 'vitest';
import { allows, functionRoles, secretArn, shownArn } from '../../lib/preflight/iam';
import { stageConfig } from '../../lib/preflight/stage';
import { secretArnOf } from '../support/template';

const place = { region: 'eu-central-1' };
const GET = 'secretsmanager:GetSecretValue';

const readSecrets = (...names: string[]) => ({ Effect: 'Allow', Action: [GET], Resource: names.map(secretArnOf) });

describe('allows', () => {
  it("matches this project's statement: the name's ARN with any six-character suffix, in the stage's region", () => {
    const statements = [readSecrets('app/key', 'app/hooks')];
    expect(allows(statements, GET, secretArn('app/key', place), place)).toBe('allowed');
    expect(allows(statements, GET, secretArn('app/hooks', place), place)).toBe('allowed');
    expect(allows(statements, GET, secretArn('app/api', place), place)).toBe('not allowed');
    // A secret of another region is another ARN.
    expect(allows(statements, GET, secretArn('app/key', { region: 'us-east-1' }), place)).toBe('not allowed');
    expect(allows(statements, GET, secretArn('app/key', place), { region: 'us-east-1' })).toBe('not allowed');
  });

  it('reads Fn::Sub, literal ARNs of any account, wildcards in actions and resources; another action is no grant', () => {
    const arn = secretArn('app/key', place);
    expect(
      allows(
        [
          {
            Effect: 'Allow',
            Action: GET,
            Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:app/key-*' },
          },
        ],
        GET,
        arn,
        place,
      ),
    ).toBe('allowed');
    expect(
      allows(
        [{ Effect: 'Allow', Action: 'secretsmanager:*', Resource: 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:app/*' }],
        GET,
        arn,
        place,
      ),
    ).toBe('allowed');
    expect(allows([{ Effect: 'Allow', Action: 'SecretsManager:Get*', Resource: '*' }], GET, arn, place)).toBe('allowed');
    expect(allows([{ Effect: 'Allow', Action: 'secretsmanager:DescribeSecret', Resource: '*' }], GET, arn, place)).toBe('not allowed');
    // A resource of this stack (GetAtt) is not a secret name: no grant.
    expect(allows([{ Effect: 'Allow', Action: GET, Resource: { 'Fn::GetAtt': ['Other', 'Arn'] } }], GET, arn, place)).toBe('not allowed');
  });

  it('an explicit Deny wins over any Allow', () => {
    const statements = [readSecrets('app/key'), { Effect: 'Deny', Action: 'secretsmanager:*', Resource: '*' }];
    expect(allows(statements, GET, secretArn('app/key', place), place)).toBe('denied');
  });

  it('takes a secret given by its ARN as it is, and shows a name as the pattern IAM needs', () => {
    const arn = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:app/key-Xy12Zq';
    expect(secretArn(arn, place)).toBe(arn);
    expect(allows([readSecrets('app/key')], GET, arn, place)).toBe('allowed');
    expect(shownArn('app/key', place)).toBe('arn:aws:secretsmanager:eu-central-1:<account>:secret:app/key-??????');
    expect(shownArn('app/key', { region: 'cn-north-1' })).toMatch(/^arn:aws-cn:/);
  });
});

describe('functionRoles and stageConfig', () => {
  const printed = {
    provider: {
      region: 'eu-central-1',
      environment: { DOCSPACE_URL: 'https://portal.example.com', SECRETS_TTL_SECONDS: 300, QUEUE_URL: { Ref: 'EventsQueue' } },
      iam: { role: { statements: [readSecrets('app/key', 'app/hooks', 'app/api')] } },
    },
    functions: {
      userCreated: { handler: 'handlers/userCreated.handler', name: 'app-prod-userCreated' },
      reconcile: { handler: 'handlers/reconcile.handler', role: 'ReconcileRole', environment: { RECONCILE_MAX_DISABLE: '5' } },
      worker: { handler: 'handlers/worker.handler', role: 'arn:aws:iam::123456789012:role/made-elsewhere' },
    },
    resources: {
      Resources: {
        ReconcileRole: {
          Type: 'AWS::IAM::Role',
          Properties: {
            Policies: [{ PolicyName: 'secrets', PolicyDocument: { Version: '2012-10-17', Statement: [readSecrets('app/key')] } }],
          },
        },
      },
    },
  };

  it("gives each function its own role when serverless.yml names one, else the stage's shared role", () => {
    const roles = functionRoles(printed);
    expect(roles.get('userCreated')).toMatchObject({ kind: 'statements', label: "the stage's shared role, provider.iam.role.statements" });
    const reconcile = roles.get('reconcile');
    expect(reconcile).toMatchObject({ kind: 'statements', label: 'role ReconcileRole (functions.reconcile.role, resources)' });
    // Its own role reads the DocSpace key only: the sender API secret is not granted to it.
    const statements = reconcile?.kind === 'statements' ? reconcile.statements : [];
    expect(allows(statements, GET, secretArn('app/key', place), place)).toBe('allowed');
    expect(allows(statements, GET, secretArn('app/api', place), place)).toBe('not allowed');
    expect(roles.get('worker')).toEqual({
      kind: 'external',
      label: 'role arn:aws:iam::123456789012:role/made-elsewhere (functions.worker.role)',
    });
  });

  it("takes the settings as strings, each function's own over the provider's; intrinsic functions are filled in at deploy", () => {
    const stage = stageConfig('prod', printed);
    expect(stage.region).toBe('eu-central-1');
    expect(stage.deployTime).toEqual(['QUEUE_URL']);
    expect(stage.functions.map((f) => [f.name, f.handler])).toEqual([
      ['userCreated', 'userCreated'],
      ['reconcile', 'reconcile'],
      ['worker', 'worker'],
    ]);
    expect(stage.functions[0]?.env).toEqual({ DOCSPACE_URL: 'https://portal.example.com', SECRETS_TTL_SECONDS: '300' });
    expect(stage.functions[1]?.env).toMatchObject({ RECONCILE_MAX_DISABLE: '5' });
  });
});
