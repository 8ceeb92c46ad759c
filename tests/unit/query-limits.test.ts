import { readFileSync } from 'node:fs';
import {
  getIntrospectionQuery,
  Kind,
  parse,
  print,
  visit,
  type ASTNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLError,
} from 'graphql';
import { createSchema, createYoga } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_QUERY } from '../../server/app.ts';
import { readConfig } from '../../server/config.ts';
import { useErrorCodes } from '../../server/plugins/error-codes.ts';
import { useQueryLimits, type QueryLimits } from '../../server/plugins/query-limits.ts';
import { loadTypeDefs } from '../../server/schema.ts';

// GraphiQL asks for some of these; all of them at once is the largest introspection query there is.
const FULL_INTROSPECTION = getIntrospectionQuery({
  descriptions: true,
  specifiedByUrl: true,
  directiveIsRepeatable: true,
  schemaDescription: true,
  inputValueDeprecation: true,
  oneOf: true,
});
const schema = createSchema({ typeDefs: loadTypeDefs() });
const defaults = readConfig({}).requestLimits;

/** The codes yoga's parse and validate (as HTTP and the WebSocket server run them) report for a document. */
function codesFor(source: string, limits: Partial<QueryLimits> = {}, hideFieldSuggestions = false): (string | undefined)[] {
  const yoga = createYoga({ schema, plugins: [useQueryLimits({ ...defaults, ...limits }, { hideFieldSuggestions }), useErrorCodes()] });
  const enveloped = yoga.getEnveloped({});
  let document: DocumentNode;
  try {
    document = enveloped.parse(source);
  } catch (error) {
    return [(error as GraphQLError).extensions?.code as string | undefined];
  }
  return enveloped.validate(enveloped.schema, document).map((e: GraphQLError) => e.extensions.code as string | undefined);
}

/** Each operation of a document with the fragments it uses, as a client sends it. */
function operations(source: string): [string, string][] {
  const document = parse(source);
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const used = (node: ASTNode, found = new Set<string>()) => {
    visit(node, {
      FragmentSpread(spread) {
        if (found.has(spread.name.value)) return;
        found.add(spread.name.value);
        used(fragments.get(spread.name.value)!, found);
      },
    });
    return found;
  };
  return document.definitions.flatMap((d) => {
    if (d.kind !== Kind.OPERATION_DEFINITION) return [];
    const definitions = [d, ...[...used(d)].map((name) => fragments.get(name)!)];
    return [[d.name?.value ?? '?', print({ kind: Kind.DOCUMENT, definitions })] as [string, string]];
  });
}


describe('query limits', () => {
  it('let every client document, the GraphiQL example and the introspection query through with the defaults', () => {
    const documents = readFileSync(new URL('../../client/documents/sync.graphql', import.meta.url), 'utf8');
    for (const [name, source] of [...operations(documents), ['GraphiQL example', EXAMPLE_QUERY], ['introspection', FULL_INTROSPECTION]]) {
      expect(codesFor(source!), name).toEqual([]);
    }
  });

  it('refuse a deep query with QUERY_TOO_DEEP', () => {
    const deep = '{ pullChanges { changes { record { ... on Note { id } } } } }';
    expect(codesFor(deep, { maxQueryDepth: 4 })).toEqual([]);
    expect(codesFor(deep, { maxQueryDepth: 3 })).toEqual(['QUERY_TOO_DEEP']);
  });

  it('refuse a wide query with QUERY_TOO_COMPLEX', () => {
    const wide = `{ notes { ${Array.from({ length: 40 }, () => 'id title body').join(' ')} } }`;
    expect(codesFor(wide, { maxQueryCost: 1000 })).toEqual([]);
    expect(codesFor(wide, { maxQueryCost: 100 })).toEqual(['QUERY_TOO_COMPLEX']);
  });

  it('refuse TOO_MANY_ALIASES, TOO_MANY_DIRECTIVES and TOO_MANY_TOKENS', () => {
    const aliased = `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: notes { id }`).join(' ')} }`;
    expect(codesFor(aliased)).toEqual(['TOO_MANY_ALIASES']);
    expect(codesFor(aliased, { maxAliases: 16 })).toEqual([]);
    const directives = `{ notes { ${'id @include(if: true) '.repeat(51)} } }`;
    expect(codesFor(directives)).toEqual(['TOO_MANY_DIRECTIVES']);
    const tokens = `{ notes { ${'id '.repeat(1000)} } }`;
    expect(codesFor(tokens)).toEqual(['TOO_MANY_TOKENS']);
    expect(codesFor(tokens, { maxTokens: 2000 })).not.toContain('TOO_MANY_TOKENS');
  });

  it('say which limit and where in the message, without the "Syntax Error" prefix armor adds', () => {
    const yoga = createYoga({ schema, plugins: [useQueryLimits({ ...defaults, maxQueryDepth: 1 }, { hideFieldSuggestions: false })] });
    const enveloped = yoga.getEnveloped({});
    const [error] = enveloped.validate(enveloped.schema, enveloped.parse('{ pullChanges { syncToken } }'));
    expect(error!.message).toBe('Query depth limit of 1 exceeded, found 2.');
  });

  it('hide field suggestions when asked (production)', () => {
    const yoga = (hide: boolean) => createYoga({ schema, plugins: [useQueryLimits(defaults, { hideFieldSuggestions: hide })] });
    const messages = (hide: boolean) => {
      const enveloped = yoga(hide).getEnveloped({});
      return enveloped.validate(enveloped.schema, enveloped.parse('{ note { id } }')).map((e: GraphQLError) => e.message);
    };
    expect(messages(false)[0]).toMatch(/Did you mean "notes"/);
    expect(messages(true)[0]).not.toMatch(/notes/);
  });
});
