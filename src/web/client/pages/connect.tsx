/** Connection guides: a tool list and the chosen tool's steps, filled in with this organization's details. */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.ts';
import type { Connection } from '../api-types.ts';
import { Alert, CopyButton, CopyValue, ErrorText, PageHeader, Spinner } from '../components/ui.tsx';
import { GUIDES, KEY_ID, guideById } from '../guides.ts';
import { href } from '../router.ts';

export function ConnectPage(props: { org: string; tool: string; canAdminister: boolean }) {
  const { org } = props;
  const [conn, setConn] = useState<Connection | undefined>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    setConn(undefined);
    api<Connection>('GET', `/orgs/${encodeURIComponent(org)}/connection`).then(setConn, setError);
  }, [org]);
  const guide = guideById(props.tool);

  return (
    <div class="connect-page">
      <PageHeader title="Connect a tool" description={`Step-by-step settings for ${org}, filled in with this server's address. Each tool signs in with an access key.`} />
      <div class="connect-layout">
        <nav class="guide-nav" aria-label="Tools">
          <ul>
            {GUIDES.map((g) => (
              <li key={g.id}>
                <a href={href({ page: 'connect', org, tool: g.id })} aria-current={g.id === guide.id ? 'page' : undefined}>
                  <span>{g.name}</span>
                  <span class="muted small">{g.via}</span>
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <article class="card guide" aria-labelledby="guide-title">
          <h2 id="guide-title">{guide.name}</h2>
          <p class="muted">{guide.summary}</p>
          {error !== undefined && <ErrorText error={error} />}
          {!conn && error === undefined && <Spinner />}
          {conn && (
            <>
              <Alert kind="info">
                Username and password are an access key of {org}: its id and its secret.{' '}
                {props.canAdminister ? (
                  <a href={href({ page: 'keys', org })}>Create a key for this tool</a>
                ) : (
                  'Ask an administrator of your organization for one.'
                )}
              </Alert>
              <h3>Settings</h3>
              <div class="copy-values">
                {guide.values(conn).map((v) => (
                  <CopyValue key={v.label} label={v.label} value={v.placeholder ? (v.value === KEY_ID ? 'your access key id' : 'your secret access key') : v.value} placeholder={v.placeholder} />
                ))}
              </div>
              <h3>Steps</h3>
              <ol class="steps">
                {guide.steps(conn).map((s, i) => (
                  <li key={i}>{s}</li>
                ))}
              </ol>
              {guide.snippet && (
                <div class="snippet">
                  <div class="snippet-head">
                    <span>{guide.snippet.label}</span>
                    <CopyButton text={guide.snippet.code(conn)} label={guide.snippet.label} />
                  </div>
                  <pre tabIndex={0}>
                    <code>{guide.snippet.code(conn)}</code>
                  </pre>
                </div>
              )}
              {guide.download && (
                <p>
                  <a class="btn btn-wrap" href={guide.download.href(conn)} download>
                    {guide.download.label}
                  </a>
                </p>
              )}
              {guide.notes && (
                <ul class="notes">
                  {guide.notes.map((n, i) => (
                    <li key={i}>{n}</li>
                  ))}
                </ul>
              )}
            </>
          )}
        </article>
      </div>
    </div>
  );
}
