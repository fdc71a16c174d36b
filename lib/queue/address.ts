/**
 * Where queue mode sends: the events queue's URL, found at the moment an event is first enqueued, never while the
 * configuration is read. serverless.yml gives the functions the queue's plain name (QUEUE_NAME), not a `Ref`:
 * `serverless invoke local` resolves a `Ref` in `environment` against the deployed stack — a CloudFormation call,
 * which fails on a machine with no AWS account or no stack — and refuses the other intrinsic functions there.
 *
 * In order: QUEUE_URL when set (npm start and the tests set the local one); else the URL SQS gives every queue,
 * built from QUEUE_NAME and the partition, region and account of the invocation's function ARN (no call); else —
 * `invoke local` and `serverless offline` have no real ARN — asked of SQS by name (GetQueueUrl, at the configured
 * endpoint: AWS_ENDPOINT_URL_SQS reaches the local SQS).
 */
import { ConfigurationError } from '../outcome';
import { sqs } from './sqsClient';

export interface QueueSettings {
  queueUrl?: string;
  queueName?: string;
}

/** The invocation's own ARN (Lambda's `context.invokedFunctionArn`): its account and region are the queue's. */
export interface Invocation {
  invokedFunctionArn?: string;
}

const LOCALLY =
  'locally, DELIVERY_MODE=sync needs no queue; queue mode needs the local SQS that `npm start` or `npm run emulators` runs (AWS_ENDPOINT_URL_SQS=http://127.0.0.1:9324)';

const FUNCTION_ARN = /^arn:(aws[a-z-]*):lambda:([a-z0-9-]+):(\d{12}):function:/;

/** SQS's URL for queue `name` of the account and region in a Lambda function ARN; undefined for anything else. */
export function queueUrlFromArn(name: string, functionArn: string | undefined): string | undefined {
  const match = functionArn ? FUNCTION_ARN.exec(functionArn) : null;
  if (!match) return undefined;
  const [, partition, region, account] = match;
  const suffix = partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://sqs.${region}.${suffix}/${account}/${name}`;
}

/** Looks a queue's URL up by its name: SQS's GetQueueUrl. */
export type LookUpQueueUrl = (name: string) => Promise<string>;

const getQueueUrl: LookUpQueueUrl = async (name) => {
  const { sdk, client } = await sqs();
  const { QueueUrl } = await client.send(new sdk.GetQueueUrlCommand({ QueueName: name }));
  if (!QueueUrl) throw new Error('GetQueueUrl: no QueueUrl in the answer');
  return QueueUrl;
};

/** SQS's answer to a name it has no queue for: `QueueDoesNotExist` (its legacy code, `AWS.SimpleQueueService.NonExistentQueue`). */
const noSuchQueue = (error: unknown): boolean =>
  error instanceof Error &&
  (/NonExistentQueue|QueueDoesNotExist/.test(error.name) ||
    /NonExistentQueue|QueueDoesNotExist/.test(String((error as { Code?: unknown }).Code)));

/**
 * The queue's URL for this invocation. A setting that is missing or wrong is a ConfigurationError that names it and
 * says how to set it locally; SQS not answering is left to the caller (the door answers 503 and the sender retries).
 */
export async function resolveQueueUrl(
  settings: QueueSettings,
  invocation: Invocation | undefined,
  lookUp: LookUpQueueUrl = getQueueUrl,
): Promise<string> {
  if (settings.queueUrl !== undefined) {
    if (!URL.canParse(settings.queueUrl) || !/^https?:$/.test(new URL(settings.queueUrl).protocol)) {
      throw new ConfigurationError(`QUEUE_URL: "${settings.queueUrl}" is not an http(s) URL; unset it to use QUEUE_NAME (${LOCALLY})`);
    }
    return settings.queueUrl;
  }
  const name = settings.queueName;
  if (!name)
    throw new ConfigurationError(
      `QUEUE_NAME: queue mode needs the events queue's name (serverless.yml sets the stack's queue); ${LOCALLY}`,
    );
  const built = queueUrlFromArn(name, invocation?.invokedFunctionArn);
  if (built) return built;
  try {
    return await lookUp(name);
  } catch (error) {
    if (noSuchQueue(error)) {
      throw new ConfigurationError(`QUEUE_NAME: SQS has no queue named "${name}"; ${LOCALLY}`, { cause: error });
    }
    throw error;
  }
}
