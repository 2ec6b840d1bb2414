/**
 * Console users of the organization (org admins and operators): who can sign in, adding people,
 * setting a new password for someone, and removing them (both sign that person out at once).
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import type { ConsoleUser } from '../api-types.ts';
import { Alert, Badge, Confirm, ErrorText, PageHeader, Select, Spinner, TextInput, messageOf } from '../components/ui.tsx';
import { formatInstant, relativeTime } from '../format.ts';

const ROLE_TEXT = { operator: 'Operator', org_admin: 'Admin', viewer: 'Viewer' } as const;

export function UsersPage(props: { org: string }) {
  const { org } = props;
  const base = `/orgs/${encodeURIComponent(org)}/users`;
  const [users, setUsers] = useState<ConsoleUser[] | undefined>();
  const [error, setError] = useState<unknown>();
  const [form, setForm] = useState({ username: '', password: '', role: 'viewer' });
  const [status, setStatus] = useState<{ kind: 'error' | 'success'; text: string } | undefined>();
  const [busy, setBusy] = useState(false);
  const [confirm, setConfirm] = useState<{ kind: 'remove' | 'password'; user: ConsoleUser } | undefined>();
  const [newPassword, setNewPassword] = useState('');

  const load = () => api<{ users: ConsoleUser[] }>('GET', base).then((r) => setUsers(r.users), setError);
  useEffect(() => {
    setUsers(undefined);
    setError(undefined);
    void load();
  }, [org]);

  const create = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setStatus(undefined);
    try {
      const u = await api<ConsoleUser>('POST', base, form);
      setStatus({ kind: 'success', text: `${u.username} can now sign in as ${ROLE_TEXT[u.role].toLowerCase()} of ${org}.` });
      setForm({ username: '', password: '', role: 'viewer' });
      await load();
    } catch (err) {
      setStatus({ kind: 'error', text: messageOf(err) });
    }
    setBusy(false);
  };

  const onConfirm = async () => {
    const c = confirm!;
    const path = `${base}/${encodeURIComponent(c.user.username)}`;
    setBusy(true);
    setStatus(undefined);
    try {
      if (c.kind === 'remove') {
        await api<ConsoleUser>('DELETE', path);
        setStatus({ kind: 'success', text: `${c.user.username} was removed and signed out.` });
      } else {
        await api<ConsoleUser>('PUT', `${path}/password`, { password: newPassword });
        setStatus({ kind: 'success', text: `${c.user.username} has a new password and was signed out; they sign in with the new one.` });
      }
      setConfirm(undefined);
      setNewPassword('');
      await load();
    } catch (err) {
      setConfirm(undefined);
      setNewPassword('');
      setStatus({ kind: 'error', text: messageOf(err) });
    }
    setBusy(false);
  };

  if (error !== undefined) {
    return (
      <div>
        <PageHeader title="Users" />
        <ErrorText error={error} />
      </div>
    );
  }
  return (
    <div class="users-page">
      <PageHeader title="Users" description={`People who sign in to this console for ${org}. Admins manage access keys and users; viewers see dashboards, SQL and history.`} />
      <form class="card inline-form" onSubmit={(e) => void create(e)} aria-label="Add a user">
        <TextInput label="Username" value={form.username} onInput={(v) => setForm({ ...form, username: v })} autocomplete="off" required />
        <TextInput label="Password" type="password" value={form.password} onInput={(v) => setForm({ ...form, password: v })} autocomplete="new-password" required minLength={8} hint="At least 8 characters." />
        <Select
          label="Role"
          value={form.role}
          onChange={(v) => setForm({ ...form, role: v })}
          options={[
            { value: 'viewer', label: 'Viewer' },
            { value: 'org_admin', label: 'Admin' },
          ]}
        />
        <button type="submit" class="btn btn-primary" disabled={busy}>
          Add user
        </button>
      </form>
      {status && <Alert kind={status.kind}>{status.text}</Alert>}
      {!users && <Spinner />}
      {users && (
        <div class="card table-card">
          <div class="table-wrap" tabIndex={0} role="region" aria-label="Users">
            <table class="data-table">
              <caption class="sr-only">Users of {org}</caption>
              <thead>
                <tr>
                  <th scope="col">Username</th>
                  <th scope="col">Role</th>
                  <th scope="col">Added</th>
                  <th scope="col">
                    <span class="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {users.map((u) => (
                  <tr key={u.username}>
                    <td>{u.username}</td>
                    <td>
                      <Badge tone={u.role === 'viewer' ? 'neutral' : 'info'}>{ROLE_TEXT[u.role]}</Badge>
                    </td>
                    <td title={formatInstant(u.createdAt)}>{relativeTime(u.createdAt)}</td>
                    <td class="actions">
                      <button type="button" class="btn btn-small" disabled={busy} onClick={() => setConfirm({ kind: 'password', user: u })} aria-label={`Set a new password for ${u.username}`}>
                        Set password
                      </button>
                      <button type="button" class="btn btn-small btn-danger-ghost" disabled={busy} onClick={() => setConfirm({ kind: 'remove', user: u })} aria-label={`Remove ${u.username}`}>
                        Remove
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
      {confirm && (
        <Confirm
          title={confirm.kind === 'remove' ? `Remove ${confirm.user.username}?` : `New password for ${confirm.user.username}`}
          confirmLabel={confirm.kind === 'remove' ? 'Remove user' : 'Set password'}
          danger={confirm.kind === 'remove'}
          onConfirm={() => void onConfirm()}
          onCancel={() => {
            setConfirm(undefined);
            setNewPassword('');
          }}
        >
          {confirm.kind === 'remove' ? (
            <p>They are signed out at once and can no longer sign in. Their saved queries in the history stay.</p>
          ) : (
            <>
              <p>They are signed out at once and sign in again with this password. Tell it to them by a safe channel.</p>
              <TextInput label="New password" type="password" value={newPassword} onInput={setNewPassword} autocomplete="new-password" required minLength={8} hint="At least 8 characters." />
            </>
          )}
        </Confirm>
      )}
    </div>
  );
}
