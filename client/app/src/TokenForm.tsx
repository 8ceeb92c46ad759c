import { useState, type FormEvent } from 'react';
import { readClaims } from './config.ts';

/** Asked for when the gateway has no dev token (JWT_SECRET is set): the user pastes a JWT. */
export function TokenForm({ onSubmit }: { onSubmit(token: string): void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);

  function submit(event: FormEvent) {
    event.preventDefault();
    const value = token.trim().replace(/^Bearer\s+/i, '');
    const claims = readClaims(value);
    if (!claims) return setError('That is not a JWT (three base64url parts separated by dots).');
    if (!claims.workspace || !claims.sub) return setError('The token needs the claims "sub" and "workspace".');
    onSubmit(value);
  }

  return (
    <main className="token-page">
      <form className="card token-form" onSubmit={submit} data-testid="token-form">
        <h1>Notes</h1>
        <p>
          This gateway needs a token. Paste a JWT signed with the gateway&apos;s <code>JWT_SECRET</code>, with the claims{' '}
          <code>sub</code> (you) and <code>workspace</code>.
        </p>
        <label className="field">
          <span>Token</span>
          <textarea
            value={token}
            onChange={(e) => {
              setToken(e.target.value);
              setError(null);
            }}
            rows={5}
            placeholder="eyJhbGciOiJIUzI1NiJ9…"
            spellCheck={false}
            autoFocus
            data-testid="token-input"
          />
        </label>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="button primary" disabled={!token.trim()}>
          Continue
        </button>
        <p className="hint">It is kept in this browser only (localStorage).</p>
      </form>
    </main>
  );
}
