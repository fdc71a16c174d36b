/**
 * The cold-start peer of `npm run bench -- bundles`: the smallest function that does what a door does on its first
 * invocation — middy, the secret read with the AWS SDK's Secrets Manager client, one request with undici — written
 * as the SDK's and undici's documentation show it (static imports, the client made when the module loads), and
 * bundled with serverless.yml's own esbuild options. Each function's load + first invocation is divided by this one's.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import middy from '@middy/core';
import { request } from 'undici';

const secrets = new SecretsManagerClient({});

export const handler = middy(async () => {
  const { SecretString = '' } = await secrets.send(new GetSecretValueCommand({ SecretId: process.env.DOCSPACE_API_KEY_SECRET_ID }));
  const { apiKey } = JSON.parse(SecretString) as { apiKey: string };
  const response = await request(new URL('/api/2.0/people/email?email=john.doe%40example.com', process.env.DOCSPACE_URL), {
    headers: { authorization: `Bearer ${apiKey}`, accept: 'application/json' },
  });
  await response.body.json();
  return { statusCode: response.statusCode, body: '' };
});
