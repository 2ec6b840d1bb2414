/**
 * "Change password" for whoever is signed in: the current password, then the new one. The server
 * ends the user's other sessions and hands this browser a new one (new CSRF token), which
 * `onChanged` receives.
 */
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import type { SessionInfo } from '../api-types.ts';
import { Alert, Dialog, TextInput, messageOf } from './ui.tsx';

export function ChangePasswordDialog(props: { onChanged: (s: SessionInfo) => void; onClose: () => void }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      props.onChanged(await api<SessionInfo>('PUT', '/session/password', { currentPassword: current, newPassword: next }));
      setDone(true);
      setCurrent('');
      setNext('');
    } catch (err) {
      setError(messageOf(err));
    }
    setBusy(false);
  };

  return (
    <Dialog
      title="Change your password"
      onClose={props.onClose}
      footer={
        done ? (
          <button type="button" class="btn btn-primary" onClick={props.onClose}>
            Done
          </button>
        ) : (
          <>
            <button type="button" class="btn" onClick={props.onClose}>
              Cancel
            </button>
            <button type="submit" form="change-password" class="btn btn-primary" disabled={busy}>
              Change password
            </button>
          </>
        )
      }
    >
      {done ? (
        <Alert kind="success">Your password is changed. Your other sessions, in other browsers, are signed out.</Alert>
      ) : (
        <form id="change-password" onSubmit={(e) => void submit(e)}>
          <TextInput label="Current password" type="password" value={current} onInput={setCurrent} autocomplete="current-password" required />
          <TextInput label="New password" type="password" value={next} onInput={setNext} autocomplete="new-password" required minLength={8} hint="At least 8 characters." />
          {error && <Alert kind="error">{error}</Alert>}
        </form>
      )}
    </Dialog>
  );
}
