import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/** One configured logger and one metrics instance for every function (Powertools). */
export const logger = new Logger({ serviceName: 'marquee' });
export const metrics = new Metrics({ namespace: 'Marquee', serviceName: 'marquee' });
