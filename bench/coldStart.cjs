// Loads one function's bundle and serves its first invocation, then exits: `node bench/coldStart.cjs <bundle> <fn>`.
// The benchmark times this against `node -e 0`. Plain CommonJS on purpose: nothing else is loaded.
const { createHmac, randomUUID } = require('node:crypto');
const { resolve } = require('node:path');

const [file, fn] = process.argv.slice(2);
const started = Date.now();
const context = {
  functionName: fn,
  awsRequestId: randomUUID(),
  invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${fn}`,
  memoryLimitInMB: '256',
  getRemainingTimeInMillis: () => 29_000 - (Date.now() - started),
};
const http = (path, method, headers, body) => ({
  version: '2.0',
  rawPath: path,
  headers,
  body,
  isBase64Encoded: false,
  requestContext: { http: { method, path, sourceIp: '127.0.0.1' }, requestId: randomUUID() },
});
const canonical = (type, data) => ({ id: `evt_cold_${randomUUID()}`, type, occurredAt: new Date().toISOString(), source: 'bench', data });
const bambooBody = JSON.stringify({ type: 'employee.deleted.not-synced', timestamp: new Date().toISOString(), data: { employeeId: '1' } });
const bambooTs = String(Math.floor(Date.now() / 1000));
const events = {
  userCreated: canonical('user.created', { email: `cold.${randomUUID()}@bench.example.com`, firstName: 'Cold', lastName: 'Start' }),
  userRoleChanged: canonical('user.role_changed', { email: 'owner@docspace.local', role: 'DocSpaceAdmin' }),
  userContactUpdated: canonical('user.contact_updated', { email: 'owner@docspace.local', contacts: [{ type: 'skype', value: '' }] }),
  userStatusChanged: canonical('user.reactivated', { email: 'owner@docspace.local' }),
  oktaHook: http('/webhooks/okta', 'GET', { authorization: process.env.COLD_OKTA_SECRET, 'x-okta-verification-challenge': 'cold' }, ''),
  bamboohrHook: http('/webhooks/bamboohr', 'POST', {
    'x-bamboohr-timestamp': bambooTs,
    'x-bamboohr-signature': createHmac('sha256', process.env.COLD_BAMBOOHR_KEY).update(bambooBody).update(bambooTs).digest('hex'),
  }, bambooBody),
  hibobHook: http('/webhooks/hibob', 'POST', {}, 'Ping test'),
  // One message of the FIFO queue, as the event source mapping hands it over.
  worker: {
    Records: [
      {
        messageId: randomUUID(),
        receiptHandle: 'cold',
        body: JSON.stringify(canonical('user.reactivated', { email: 'owner@docspace.local' })),
        attributes: { ApproximateReceiveCount: '1', MessageGroupId: 'cold', MessageDeduplicationId: randomUUID(), SentTimestamp: String(Date.now()) },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:docspace-idp-sync-dev-events.fifo',
        awsRegion: 'us-east-1',
      },
    ],
  },
  followUp: {},
};

const { handler } = require(resolve(file));
Promise.resolve(handler(events[fn], context)).then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
