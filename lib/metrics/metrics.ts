import { Metrics } from '@aws-lambda-powertools/metrics';

export const metrics = new Metrics({ namespace: 'DocSpaceIdpSync', serviceName: 'docspace-idp-sync' });
