import type middy from '@middy/core';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ZodError } from 'zod';
import { HttpError } from './httpErrors.ts';
import { metrics } from './observability.ts';

/**
 * Counts requests refused for their input (4xx) under `metricName`. Use it after logMetrics and
 * before jsonErrors, so that on error it runs before the metrics are flushed (middy runs onError
 * handlers in reverse order of use) and every invocation publishes at least one metric.
 */
export function countRejections(metricName: string): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  return {
    onError: async (request) => {
      const error = request.error;
      const status = error instanceof HttpError ? error.statusCode : error instanceof ZodError ? 400 : 500;
      if (status < 500) metrics.addMetric(metricName, MetricUnit.Count, 1);
    },
  };
}
