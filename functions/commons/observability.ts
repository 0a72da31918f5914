import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/** The service dimension: per stage in the cloud (POWERTOOLS_SERVICE_NAME, set by CDK), `marquee` otherwise. */
const serviceName = process.env.POWERTOOLS_SERVICE_NAME || 'marquee';

/** One configured logger and one metrics instance for every function (Powertools). */
export const logger = new Logger({ serviceName });
export const metrics = new Metrics({ namespace: 'Marquee', serviceName });
