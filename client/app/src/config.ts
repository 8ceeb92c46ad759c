/**
 * What the app needs before it can sync: the gateway's GraphQL path and a token.
 * The gateway serves /app-config.json (with its dev token in dev mode); the last
 * copy is kept in localStorage so the app also starts offline without it.
 */
export interface AppConfig {
  graphqlPath: string;
  devToken: string | null;
}

const CONFIG_KEY = 'sync-gateway.app-config';
const TOKEN_KEY = 'sync-gateway.token';
const DEFAULT_CONFIG: AppConfig = { graphqlPath: '/graphql', devToken: null };

export async function loadAppConfig(): Promise<AppConfig> {
  try {
    const response = await fetch('/app-config.json', { cache: 'no-cache' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const config = parseConfig(await response.json());
    localStorage.setItem(CONFIG_KEY, JSON.stringify(config));
    return config;
  } catch {
    try {
      return parseConfig(JSON.parse(localStorage.getItem(CONFIG_KEY) ?? 'null'));
    } catch {
      return DEFAULT_CONFIG;
    }
  }
}

function parseConfig(value: unknown): AppConfig {
  const v = value as Partial<AppConfig> | null;
  if (!v || typeof v !== 'object') throw new Error('not an app config');
  return {
    graphqlPath: typeof v.graphqlPath === 'string' ? v.graphqlPath : DEFAULT_CONFIG.graphqlPath,
    devToken: typeof v.devToken === 'string' ? v.devToken : null,
  };
}

export const savedToken = () => localStorage.getItem(TOKEN_KEY);
export const saveToken = (token: string) => localStorage.setItem(TOKEN_KEY, token);
export const forgetToken = () => localStorage.removeItem(TOKEN_KEY);

export interface TokenClaims {
  sub?: string;
  workspace?: string;
  exp?: number;
}

/** The token's claims, read without verifying (the gateway verifies); null when it is not a JWT. */
export function readClaims(token: string): TokenClaims | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(payload.length / 4) * 4, '='));
    const claims = JSON.parse(json) as unknown;
    return claims && typeof claims === 'object' ? (claims as TokenClaims) : null;
  } catch {
    return null;
  }
}
