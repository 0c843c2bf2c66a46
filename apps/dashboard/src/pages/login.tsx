import { useState } from 'preact/hooks';

/** Asks for an API key; `onKey` checks it with the server and answers an error message or null. */
export function LoginPage(props: {
  onKey: (key: string) => Promise<string | null>;
  reason?: string;
}) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(props.reason ?? null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(await props.onKey(key.trim()));
    setBusy(false);
  };
  return (
    <main id="main" class="login">
      <form onSubmit={(e) => void submit(e)} aria-describedby={error ? 'login-error' : undefined}>
        <h1>Task Center</h1>
        <p class="muted">This server requires an API key (one of its API_KEYS).</p>
        <label for="api-key">API key</label>
        <input
          id="api-key"
          type="password"
          autocomplete="current-password"
          value={key}
          onInput={(e) => setKey(e.currentTarget.value)}
          required
        />
        {error && (
          <p id="login-error" class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy || key.trim() === ''}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
        <p class="muted small">Kept in this tab only (sessionStorage), sent as a header.</p>
      </form>
    </main>
  );
}
