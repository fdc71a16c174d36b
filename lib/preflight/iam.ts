/**
 * Whether a function's role, as `serverless print` shows the stage's packaged configuration, allows
 * `secretsmanager:GetSecretValue` on a secret: the IAM statements of the role the function runs with, their
 * `Resource` patterns rendered as CloudFormation would render them for the stage's region (`Fn::Join`, `Fn::Sub`,
 * `Ref` of the pseudo parameters) and matched against the secret's ARN with IAM's wildcards (`*`, `?`).
 *
 * Without an AWS call two things stay unknown, and are treated generously: the account (any account in a pattern
 * matches) and the six random characters Secrets Manager appends to a secret's name in its ARN. Conditions, resource
 * policies and the KMS key of a secret encrypted with a customer-managed key are not looked at.
 */

/** A statement as serverless.yml writes it (`provider.iam.role.statements`, or a role's policy document). */
type Statement = Record<string, unknown>;

/** The role a function runs with, as far as the packaged configuration tells. */
export type FunctionRole =
  | { kind: 'statements'; label: string; statements: readonly Statement[] }
  /** A role made outside this stack (an ARN or a name): its statements are not in the configuration. */
  | { kind: 'external'; label: string };

const asArray = (value: unknown): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The statements of a role defined in the stack's `resources` (AWS::IAM::Role), or undefined when it is not one. */
function roleResourceStatements(resources: Record<string, unknown>, logicalId: string): Statement[] | undefined {
  const resource = resources[logicalId];
  if (!isObject(resource) || resource.Type !== 'AWS::IAM::Role') return undefined;
  const properties = isObject(resource.Properties) ? resource.Properties : {};
  return asArray(properties.Policies)
    .flatMap((policy) => (isObject(policy) && isObject(policy.PolicyDocument) ? asArray(policy.PolicyDocument.Statement) : []))
    .filter(isObject);
}

/** A `role:` value (a logical id, `Fn::GetAtt: [id, Arn]`, an ARN or a name) as the role it names. */
function namedRole(role: unknown, resources: Record<string, unknown>, where: string): FunctionRole {
  const getAtt = isObject(role) ? asArray(role['Fn::GetAtt']) : [];
  const logicalId = typeof role === 'string' ? role : typeof getAtt[0] === 'string' ? getAtt[0] : undefined;
  const statements = logicalId === undefined ? undefined : roleResourceStatements(resources, logicalId);
  if (statements) return { kind: 'statements', label: `role ${logicalId ?? ''} (${where}, resources)`, statements };
  return { kind: 'external', label: `role ${typeof role === 'string' ? role : JSON.stringify(role)} (${where})` };
}

/**
 * The role of each function: its own `role:` when it has one, else the provider's (`provider.iam.role`: the
 * statements of the role the framework makes for the stage, or an existing role), as osls packages them.
 */
export function functionRoles(config: Record<string, unknown>): Map<string, FunctionRole> {
  const provider = isObject(config.provider) ? config.provider : {};
  const resources = isObject(config.resources) && isObject(config.resources.Resources) ? config.resources.Resources : {};
  const iam = isObject(provider.iam) ? provider.iam : {};
  const role = iam.role;
  const shared: FunctionRole =
    role !== undefined && !(isObject(role) && role['Fn::GetAtt'] === undefined)
      ? namedRole(role, resources, 'provider.iam.role')
      : {
          kind: 'statements',
          label: "the stage's shared role, provider.iam.role.statements",
          statements: asArray(isObject(role) ? role.statements : provider.iamRoleStatements).filter(isObject),
        };
  const functions = isObject(config.functions) ? config.functions : {};
  return new Map(
    Object.entries(functions).map(([name, fn]) => {
      const own = isObject(fn) ? fn.role : undefined;
      return [name, own === undefined ? shared : namedRole(own, resources, `functions.${name}.role`)];
    }),
  );
}

/** Where the stage is: what the pseudo parameters of a `Resource` stand for. */
export interface Place {
  region: string;
}

const partitionOf = (region: string) => (region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws');

/** Stands for the account, which is not known without an AWS call. */
const ACCOUNT = '\u0000account\u0000';

function pseudo(name: string, place: Place): string | undefined {
  if (name === 'AWS::Partition') return partitionOf(place.region);
  if (name === 'AWS::Region') return place.region;
  if (name === 'AWS::AccountId') return ACCOUNT;
  if (name === 'AWS::URLSuffix') return place.region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return undefined;
}

/** A `Resource` entry as the string CloudFormation would make of it; undefined when it names another resource. */
function render(value: unknown, place: Place): string | undefined {
  if (typeof value === 'string') return value;
  if (!isObject(value)) return undefined;
  if (typeof value.Ref === 'string') return pseudo(value.Ref, place);
  const join = value['Fn::Join'];
  if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
    const parts = join[1].map((part) => render(part, place));
    return parts.every((p) => p !== undefined) ? parts.join(join[0]) : undefined;
  }
  const sub = value['Fn::Sub'];
  const [template, variables]: [unknown, Record<string, unknown>] = Array.isArray(sub)
    ? [sub[0] as unknown, isObject(sub[1]) ? sub[1] : {}]
    : [sub, {}];
  if (typeof template === 'string') {
    let unknown = false;
    const text = template.replace(/\$\{([^}!]+)\}/g, (_all, name: string) => {
      const given = name in variables ? render(variables[name], place) : pseudo(name, place);
      if (given === undefined) unknown = true;
      return given ?? '';
    });
    return unknown ? undefined : text;
  }
  return undefined;
}

/** IAM's wildcard match: `*` any run of characters, `?` one. */
function globMatch(pattern: string, text: string, ignoreCase = false): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(text);
}

/** A resource pattern against an ARN, any account allowed (the fifth field). */
function resourceMatches(pattern: string, arn: string): boolean {
  const fields = pattern.split(':');
  if (fields.length >= 6) fields[4] = '*';
  return globMatch(fields.join(':'), arn);
}

/** The ARN to match for a secret setting: the ARN itself, or a name's ARN in this region with a stand-in suffix. */
export function secretArn(secretId: string, place: Place): string {
  if (secretId.startsWith('arn:')) return secretId;
  return `arn:${partitionOf(place.region)}:secretsmanager:${place.region}:000000000000:secret:${secretId}-AbC123`;
}

/** The pattern a reader is shown: the ARN with the parts we do not know as IAM would write them. */
export const shownArn = (secretId: string, place: Place): string =>
  secretId.startsWith('arn:')
    ? secretId
    : `arn:${partitionOf(place.region)}:secretsmanager:${place.region}:<account>:secret:${secretId}-??????`;

/** Whether the statements allow `action` on `arn`: an explicit Deny wins over any Allow, as in IAM. */
export function allows(statements: readonly Statement[], action: string, arn: string, place: Place): 'allowed' | 'denied' | 'not allowed' {
  let allowed = false;
  for (const statement of statements) {
    // NotAction / NotResource: not rendered here; such a statement counts as no grant (and no denial).
    const actions = asArray(statement.Action).filter((a): a is string => typeof a === 'string');
    if (!actions.some((a) => globMatch(a, action, true))) continue;
    const resources = asArray(statement.Resource).map((r) => render(r, place));
    if (!resources.some((r) => r !== undefined && resourceMatches(r.replaceAll(ACCOUNT, '*'), arn))) continue;
    if (statement.Effect === 'Deny') return 'denied';
    if (statement.Effect === 'Allow') allowed = true;
  }
  return allowed ? 'allowed' : 'not allowed';
}
