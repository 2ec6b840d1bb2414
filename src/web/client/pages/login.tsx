/** The sign-in page: console username and password; wrong ones and lock-outs say so plainly. */
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import type { SessionInfo } from '../api-types.ts';
import { Alert, TextInput, messageOf } from '../components/ui.tsx';

export function LoginPage(props: { onSignedIn: (s: SessionInfo) => void; notice?: string }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      props.onSignedIn(await api<SessionInfo>('POST', '/session', { username, password }));
    } catch (err) {
      setError(messageOf(err));
      setBusy(false);
    }
  };

  return (
    <main class="login" id="main">
      <div class="login-card">
        <div class="brand brand-large">
          <img src={document.querySelector<HTMLLinkElement>('link[rel=icon]')?.href} alt="" width="36" height="36" />
          <span>Runlake</span>
        </div>
        <h1>Sign in to the console</h1>
        <p class="muted">Workflow analytics for your organization: dashboards, SQL, access keys and connection guides.</p>
        {props.notice && !error && <Alert kind="info">{props.notice}</Alert>}
        {error && <Alert kind="error">{error}</Alert>}
        <form onSubmit={(e) => void submit(e)} class="login-form">
          <TextInput label="Username" value={username} onInput={setUsername} autocomplete="username" required autoFocus name="username" />
          <TextInput label="Password" value={password} onInput={setPassword} type="password" autocomplete="current-password" required name="password" />
          <button type="submit" class="btn btn-primary btn-block" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
        <p class="hint login-hint">
          The demo prints a console login for each organization (<code>runlake demo</code>), and keeps it in <code>connection.json</code>.
        </p>
      </div>
    </main>
  );
}
