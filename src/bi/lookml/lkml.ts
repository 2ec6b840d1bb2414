/**
 * LookML text: a tiny tree of parameters and its renderer. A node is either a leaf
 * (`key: value`, the value already spelled: a quoted string, a yes/no, a list, or SQL ending in
 * `;;`) or a block (`key: name { … }`).
 *
 * Invariants: strings are always double-quoted with `\` and `"` escaped and no line breaks; SQL
 * never contains `;;` (LookML's SQL terminator), checked here; output is stable (same tree, same
 * text), two-space indented.
 */

export type LkNode = { key: string; text: string } | { key: string; name?: string; children: LkNode[] };

/** A LookML string literal. */
export function quote(s: string): string {
  return `"${s.replace(/\s*\n\s*/g, ' ').replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

export const str = (key: string, value: string): LkNode => ({ key, text: quote(value) });
/** An unquoted value: yes/no, a number, a type or field name. */
export const raw = (key: string, value: string | number): LkNode => ({ key, text: String(value) });
export const yes = (key: string, value: boolean): LkNode => raw(key, value ? 'yes' : 'no');
export const list = (key: string, items: readonly string[], quoted = false): LkNode => ({ key, text: `[${items.map((i) => (quoted ? quote(i) : i)).join(', ')}]` });

export function sql(key: string, text: string): LkNode {
  if (text.includes(';;')) throw new Error(`LookML ${key} contains ";;": ${text}`);
  return { key, text: `${text.trim()} ;;` };
}

export const block = (key: string, name: string | undefined, children: LkNode[]): LkNode => (name === undefined ? { key, children } : { key, name, children });

/** Renders nodes at the given depth, with a blank line between top-level blocks. */
export function renderLookml(nodes: readonly LkNode[], depth = 0): string {
  const pad = '  '.repeat(depth);
  const out: string[] = [];
  for (const n of nodes) {
    if ('text' in n) {
      out.push(`${pad}${n.key}: ${n.text.includes('\n') ? n.text.split('\n').join(`\n${pad}  `) : n.text}`);
      continue;
    }
    if (depth <= 1 && out.length > 0 && out[out.length - 1] !== '') out.push('');
    out.push(`${pad}${n.key}: ${n.name !== undefined ? `${n.name} ` : ''}{`);
    const inner = renderLookml(n.children, depth + 1);
    if (inner) out.push(inner);
    out.push(`${pad}}`);
  }
  return out.join('\n');
}
