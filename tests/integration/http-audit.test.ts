/**
 * The GraphQL-over-HTTP audit of the graphql-http package, against the running
 * gateway: every MUST passes; the SHOULD and MAY results are printed.
 */
import { serverAudits, type AuditResult } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newWorkspace, startTestGateway, type TestGateway } from '../helpers/gateway.ts';

let gw: TestGateway;
let token: string;
beforeAll(async () => {
  gw = await startTestGateway();
  token = await gw.token(newWorkspace());
});
afterAll(async () => gw?.close());

const audits = serverAudits({
  url: () => gw.url,
  // A client of the gateway sends its JWT; the audit's own requests carry none.
  fetchFn: (input: RequestInfo | URL, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${token}`);
    return fetch(input, { ...init, headers });
  },
});

async function explain(result: AuditResult): Promise<string> {
  if (result.status === 'ok') return 'ok';
  const body = await result.response.clone().text().catch(() => '');
  return `${result.reason} (HTTP ${result.response.status}: ${body.slice(0, 300)})`;
}

describe('GraphQL over HTTP', () => {
  for (const audit of audits.filter((a) => a.name.startsWith('MUST'))) {
    it(audit.name, async () => {
      const result = await audit.fn();
      expect(result.status, await explain(result)).toBe('ok');
    });
  }

  it('SHOULD and MAY recommendations (printed, not required)', async () => {
    const lines: string[] = [];
    let passed = 0;
    const optional = audits.filter((a) => !a.name.startsWith('MUST'));
    for (const audit of optional) {
      const result = await audit.fn();
      if (result.status === 'ok') passed += 1;
      else lines.push(`  ${result.status}: ${audit.name}: ${await explain(result)}`);
    }
    console.log(`GraphQL-over-HTTP audit: ${passed} of ${optional.length} SHOULD/MAY pass\n${lines.join('\n')}`);
    expect(optional.length).toBeGreaterThan(0);
  });
});
