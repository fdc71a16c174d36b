/** Invoking a handler in-process exactly as Lambda would: a real context, a direct payload or an HTTP API v2 event. */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { signStandardWebhook } from '../lib/http/standardWebhooks';
import { LOCAL } from './stack';

export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

export function lambdaContext(functionName = 'test', timeoutMs = 30_000): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: crypto.randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export function httpEvent(path: string, body: string, headers: Record<string, string> = {}, base64 = false): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: `POST ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...headers },
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method: 'POST', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: crypto.randomUUID(),
      routeKey: `POST ${path}`,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    body: base64 ? Buffer.from(body).toString('base64') : body,
    isBase64Encoded: base64,
  };
}

/** A canonical event as a sender would post it: minified JSON, signed with the local Standard Webhooks secret. */
export function signedHttpEvent(path: string, event: unknown, options: { secret?: string; at?: Date; base64?: boolean } = {}): APIGatewayProxyEventV2 {
  const body = JSON.stringify(event);
  const id = `msg_${crypto.randomUUID()}`;
  const headers = signStandardWebhook(body, options.secret ?? LOCAL.signingSecret, id, options.at);
  return httpEvent(path, body, headers, options.base64);
}

export interface HttpAnswer {
  statusCode: number;
  headers: Record<string, string>;
  body: { outcome: string; userId?: string; message?: string; errors?: string[] };
}

export async function invokeHttp(handler: LambdaHandler, event: APIGatewayProxyEventV2, context = lambdaContext()): Promise<HttpAnswer> {
  const result = (await handler(event, context)) as APIGatewayProxyStructuredResultV2;
  return {
    statusCode: result.statusCode ?? 0,
    headers: (result.headers ?? {}) as Record<string, string>,
    body: JSON.parse(String(result.body)) as HttpAnswer['body'],
  };
}
