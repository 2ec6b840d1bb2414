/**
 * Where query results go. Clients name an S3 OutputLocation (the "staging directory"); Runlake
 * keeps results in the organization's own area of the lake's object store:
 *
 *   s3://runlake-results/<org>/<path>   ⇄   object key  orgs/<org>/athena-results/<path>
 *
 * An organization may write (and read back over the S3 GET endpoint) only under its own
 * `s3://runlake-results/<org>/`; any other bucket or prefix is refused before a query runs, the
 * way Athena refuses a staging directory the key cannot write. File names under the prefix follow
 * Athena: `<id>.csv` (+ `.metadata`) for SELECT, `<id>.txt` for SHOW/DESCRIBE/DDL, `tables/<id>`
 * for CREATE TABLE AS.
 */
import { invalidRequest } from './errors.ts';
import type { ResultKind } from './statements.ts';

export const RESULTS_BUCKET = 'runlake-results';

/** The results location of an organization: its workgroup's OutputLocation. */
export function orgResultsLocation(org: string): string {
  return `s3://${RESULTS_BUCKET}/${org}/`;
}

/** A validated OutputLocation: its canonical form and the path under the organization's area. */
export interface OutputPrefix {
  org: string;
  /** `s3://runlake-results/<org>/<path>` with a trailing `/`. */
  uri: string;
  /** `<path>` under the organization's area, '' or ending with `/`. */
  path: string;
}

export function checkOutputLocation(location: string, org: string): OutputPrefix {
  const allowed = orgResultsLocation(org);
  const refuse = (why: string) =>
    invalidRequest(
      `Unable to verify/create output bucket for ${location}: ${why}. This access key may write query results only under ${allowed} ` +
        `(organization ${org}'s results location); set the OutputLocation (S3 staging directory) to it or to a folder inside it`,
    );
  const m = /^s3:\/\/([^/]*)\/?(.*)$/.exec(location);
  if (!m) throw refuse('an OutputLocation must be an s3://bucket/prefix/ URL');
  const [, bucket, key] = m as unknown as [string, string, string];
  if (bucket !== RESULTS_BUCKET) throw refuse(`bucket ${bucket || '(none)'} is not the results bucket`);
  const segments = key.split('/');
  if (segments[0] !== org) throw refuse(`the prefix ${key === '' ? '(bucket root)' : key} is outside the organization's folder`);
  const rest = segments.slice(1).filter((s, i, all) => !(s === '' && i === all.length - 1));
  if (rest.some(badSegment)) {
    throw refuse('the prefix has empty, "." or ".." folders or control characters');
  }
  const path = rest.length > 0 ? `${rest.join('/')}/` : '';
  return { org, uri: `${allowed}${path}`, path };
}

/** An empty, `.` or `..` folder, or one with a backslash or a control character. */
function badSegment(s: string): boolean {
  return s === '' || s === '.' || s === '..' || [...s].some((c) => c === '\\' || c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
}

/** The result object names Athena uses under the prefix, by statement kind (no metadata for column-less DDL). */
export function resultFileNames(kind: ResultKind, id: string): { result: string; metadata: string | null } {
  switch (kind) {
    case 'rows':
      return { result: `${id}.csv`, metadata: `${id}.csv.metadata` };
    case 'utility':
      return { result: `${id}.txt`, metadata: `${id}.txt.metadata` };
    case 'ctas':
      return { result: `tables/${id}`, metadata: `tables/${id}.metadata` };
    case 'ddl':
      return { result: `${id}.txt`, metadata: null };
  }
}

/** The object-store key of a file under a validated prefix. */
export function storeKeyOf(prefix: OutputPrefix, name: string): string {
  return `orgs/${prefix.org}/athena-results/${prefix.path}${name}`;
}

/**
 * The object-store key for an S3 GET of `/<bucket>/<key>` by the organization `org`; undefined
 * when the object is outside that organization's results area (another bucket or organization).
 */
export function storeKeyForS3(bucket: string, key: string, org: string): string | undefined {
  if (bucket !== RESULTS_BUCKET) return undefined;
  const segments = key.split('/');
  if (segments[0] !== org || segments.length < 2) return undefined;
  const rest = segments.slice(1);
  if (rest.some(badSegment)) return undefined;
  return `orgs/${org}/athena-results/${rest.join('/')}`;
}
