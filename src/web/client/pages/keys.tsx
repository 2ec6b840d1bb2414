/**
 * Access keys of the organization (org admins and operators): create one (its secret is shown
 * once), rotate it (a new key, the old one revoked), revoke it; each with when it was last used.
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import type { AccessKey, CreatedKey } from '../api-types.ts';
import { Alert, Badge, Confirm, CopyValue, Empty, ErrorText, PageHeader, Spinner, TextInput, messageOf } from '../components/ui.tsx';
import { formatInstant, relativeTime } from '../format.ts';
import { href } from '../router.ts';

export function KeysPage(props: { org: string }) {
  const { org } = props;
  const base = `/orgs/${encodeURIComponent(org)}/keys`;
  const [keys, setKeys] = useState<AccessKey[] | undefined>();
  const [error, setError] = useState<unknown>();
  const [description, setDescription] = useState('');
  const [created, setCreated] = useState<CreatedKey | undefined>();
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<string | undefined>();
  const [confirm, setConfirm] = useState<{ kind: 'revoke' | 'rotate'; key: AccessKey } | undefined>();

  const load = () =>
    api<{ keys: AccessKey[] }>('GET', base).then(
      (r) => setKeys(r.keys),
      (e: unknown) => setError(e),
    );
  useEffect(() => {
    setKeys(undefined);
    setError(undefined);
    setCreated(undefined);
    void load();
  }, [org]);

  const act = async (f: () => Promise<void>) => {
    setBusy(true);
    setActionError(undefined);
    try {
      await f();
      await load();
    } catch (e) {
      setActionError(messageOf(e));
    }
    setBusy(false);
  };
  const create = (e: Event) => {
    e.preventDefault();
    void act(async () => {
      setCreated(await api<CreatedKey>('POST', base, { description }));
      setDescription('');
    });
  };
  const onConfirm = () => {
    const c = confirm!;
    setConfirm(undefined);
    void act(async () => {
      if (c.kind === 'revoke') await api<AccessKey>('DELETE', `${base}/${encodeURIComponent(c.key.accessKeyId)}`);
      else setCreated(await api<CreatedKey>('POST', `${base}/${encodeURIComponent(c.key.accessKeyId)}/rotate`, {}));
    });
  };

  if (error !== undefined) {
    return (
      <div>
        <PageHeader title="Access keys" />
        <ErrorText error={error} />
      </div>
    );
  }
  const active = (keys ?? []).filter((k) => k.revokedAt === null);
  const revoked = (keys ?? []).filter((k) => k.revokedAt !== null);
  return (
    <div class="keys-page">
      <PageHeader
        title="Access keys"
        description={`BI tools and scripts sign in to ${org} with an access key id and its secret: the user name and password for PostgreSQL, the AWS credentials for the Athena API.`}
      />
      {created && (
        <div class="card new-secret" data-testid="new-key">
          <Alert kind="success" title={created.replaces ? 'Key rotated' : 'Access key created'}>
            Copy the secret access key now: it is shown only this once.
            {created.replaces && ` The old key ${created.replaces} is revoked; update the tools that used it.`}
          </Alert>
          <CopyValue label="Access key id" value={created.accessKeyId} />
          <CopyValue label="Secret access key" value={created.secretAccessKey} secret />
          <div class="row-actions">
            <a class="btn" href={href({ page: 'connect', org, tool: 'psql' })}>
              Connection guides
            </a>
            <button type="button" class="btn btn-primary" onClick={() => setCreated(undefined)}>
              I have stored the secret
            </button>
          </div>
        </div>
      )}
      <form class="card inline-form" onSubmit={create} aria-label="Create an access key">
        <TextInput label="Description" class="field-wide" value={description} onInput={setDescription} maxLength={200} placeholder="e.g. Looker production" hint="What uses this key, so you know what a revocation breaks." />
        <button type="submit" class="btn btn-primary" disabled={busy}>
          Create key
        </button>
      </form>
      {actionError && <Alert kind="error">{actionError}</Alert>}
      {!keys && <Spinner />}
      {keys && keys.length === 0 && <Empty>No access keys yet. Create one for each tool that connects.</Empty>}
      {keys && keys.length > 0 && (
        <div class="card table-card">
          <div class="table-wrap" tabIndex={0} role="region" aria-label="Access keys">
            <table class="data-table keys-table stack-table">
              <caption class="sr-only">Access keys of {org}</caption>
              <thead>
                <tr>
                  <th scope="col">Access key id</th>
                  <th scope="col">Description</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Status</th>
                  <th scope="col">
                    <span class="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {[...active, ...revoked].map((k) => (
                  <tr key={k.accessKeyId} data-key={k.accessKeyId} class={k.revokedAt ? 'is-revoked' : ''}>
                    <td class="mono">{k.accessKeyId}</td>
                    <td>{k.description || <span class="muted">—</span>}</td>
                    <td class="nowrap" data-label="Created" title={formatInstant(k.createdAt)}>
                      {relativeTime(k.createdAt)}
                    </td>
                    <td class="nowrap" data-label="Last used" title={k.lastUsedAt ? formatInstant(k.lastUsedAt) : 'Never used'}>
                      {relativeTime(k.lastUsedAt)}
                    </td>
                    <td>{k.revokedAt ? <Badge tone="neutral">revoked {relativeTime(k.revokedAt)}</Badge> : <Badge tone="good">active</Badge>}</td>
                    <td class="actions">
                      {!k.revokedAt && (
                        <>
                          <button type="button" class="btn btn-small" disabled={busy} onClick={() => setConfirm({ kind: 'rotate', key: k })} aria-label={`Rotate ${k.accessKeyId}`}>
                            Rotate
                          </button>
                          <button type="button" class="btn btn-small btn-danger-ghost" disabled={busy} onClick={() => setConfirm({ kind: 'revoke', key: k })} aria-label={`Revoke ${k.accessKeyId}`}>
                            Revoke
                          </button>
                        </>
                      )}
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
          title={confirm.kind === 'revoke' ? `Revoke ${confirm.key.accessKeyId}?` : `Rotate ${confirm.key.accessKeyId}?`}
          confirmLabel={confirm.kind === 'revoke' ? 'Revoke key' : 'Rotate key'}
          danger={confirm.kind === 'revoke'}
          onConfirm={onConfirm}
          onCancel={() => setConfirm(undefined)}
        >
          {confirm.kind === 'revoke' ? (
            <p>Tools using this key stop working at once: their next query is refused. This cannot be undone.</p>
          ) : (
            <p>A new key with a new secret is created and this one is revoked at once. Update the tools that use it with the new credentials.</p>
          )}
        </Confirm>
      )}
    </div>
  );
}
