/**
 * The SQL editor's text per organization, kept in the browser's localStorage so it survives a
 * reload, and handed over from other pages ("Open in SQL editor", "Run again").
 */
const key = (org: string) => `runlake.sql.${org}`;
let pendingRun: string | undefined;

export function loadDraft(org: string): string | undefined {
  try {
    return localStorage.getItem(key(org)) ?? undefined;
  } catch {
    return undefined;
  }
}

export function saveDraft(org: string, sql: string): void {
  try {
    localStorage.setItem(key(org), sql);
  } catch {
    // storage full or disabled: the draft only lives in the page
  }
}

/** Puts `sql` in the editor of `org`; with `run`, the editor runs it when it opens. */
export function handOver(org: string, sql: string, run = false): void {
  saveDraft(org, sql);
  pendingRun = run ? org : undefined;
}

/** True once after handOver(…, run = true) for this organization. */
export function takePendingRun(org: string): boolean {
  const r = pendingRun === org;
  pendingRun = undefined;
  return r;
}
