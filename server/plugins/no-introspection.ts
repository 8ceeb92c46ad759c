/**
 * Refuses introspection (`__schema`, `__type`) in every operation, over every
 * transport. yoga's plugin-disable-introspection decides per HTTP request, so an
 * introspection query sent over graphql-ws (which runs queries too) would pass it.
 */
import { NoSchemaIntrospectionCustomRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';

export function useNoIntrospection(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(NoSchemaIntrospectionCustomRule);
    },
  };
}
