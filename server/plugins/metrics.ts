/**
 * Prometheus metrics of the GraphQL layer (yoga's prometheus plugin), served at
 * /metrics from the gateway's own registry, which also holds the sync metrics
 * (server/metrics.ts).
 *
 * Kept: operations and their duration by operation type, HTTP duration by
 * method and status, and errors by `extensions.code`. Left out: labels a
 * client chooses (operation name, error path, URL), which would let any
 * client create series without bound, and the per-phase histograms.
 */
import type { Plugin } from 'graphql-yoga';
import { createCounter, usePrometheus } from '@graphql-yoga/plugin-prometheus';
import type { Registry } from 'prom-client';
import { clientErrorCode, RequestErrorCode } from '../errors.ts';

export const METRICS_PATH = '/metrics';

export function useMetrics(registry: Registry): Plugin {
  return usePrometheus({
    registry,
    endpoint: METRICS_PATH,
    labels: { operationName: false, path: false, url: false, fieldName: false, typeName: false, returnType: false },
    metrics: {
      graphql_envelop_request: true,
      graphql_envelop_request_duration: true,
      graphql_yoga_http_duration: true,
      graphql_envelop_error_result: createCounter({
        registry,
        counter: {
          name: 'graphql_errors_total',
          help: 'GraphQL errors by extensions.code and the phase that raised them',
          labelNames: ['code', 'phase', 'operationType'] as const,
        },
        fillLabelsFn: (params) => ({
          // The plugin reports a failed validation once, without the errors themselves.
          code:
            !params.error && params.errorPhase === 'validate'
              ? RequestErrorCode.GRAPHQL_VALIDATION_FAILED
              : clientErrorCode(params.error),
          phase: params.errorPhase ?? 'unknown',
          operationType: params.operationType ?? 'unknown',
        }),
      }),
      graphql_envelop_request_time_summary: false,
      graphql_envelop_deprecated_field: false,
      graphql_envelop_schema_change: false,
      graphql_envelop_phase_parse: false,
      graphql_envelop_phase_validate: false,
      graphql_envelop_phase_context: false,
      graphql_envelop_phase_execute: false,
      graphql_envelop_phase_subscribe: false,
    },
  });
}
