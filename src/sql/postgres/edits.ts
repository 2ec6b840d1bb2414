/**
 * Text edits over the original statement: replacements of character ranges (eager text, or lazy
 * text rendered at the end, e.g. from sub-ranges with their own edits) and insertions (opening or
 * closing a wrapper). Everything not edited passes through verbatim.
 */
interface Edit {
  start: number;
  end: number;
  text: string | (() => string);
  /** Insertions: 'open' text goes before content starting here, 'close' after content ending here. */
  insert?: 'open' | 'close';
  /** Insertions: the span of the wrapped range (outer wrappers open first and close last). */
  span: number;
  seq: number;
}

export class Edits {
  private readonly edits: Edit[] = [];
  private seq = 0;

  constructor(readonly source: string) {}

  /** Replaces [start, end). An edit fully inside a replaced range is superseded by it. */
  replace(start: number, end: number, text: string | (() => string)): void {
    this.edits.push({ start, end, text, span: end - start, seq: this.seq++ });
  }

  /** Wraps [start, end) in `open` … `close`. */
  wrap(start: number, end: number, open: string, close: string): void {
    this.edits.push({ start, end: start, text: open, insert: 'open', span: end - start, seq: this.seq++ });
    this.edits.push({ start: end, end, text: close, insert: 'close', span: end - start, seq: this.seq++ });
  }

  /** The text of [start, end) with the edits inside it applied. */
  render(start = 0, end = this.source.length): string {
    const inside = this.edits.filter((e) => e.start >= start && e.end <= end);
    const replacements = inside
      .filter((e) => !e.insert)
      .sort((a, b) => a.start - b.start || b.end - a.end || a.seq - b.seq);
    // Keep maximal, non-overlapping replacements (the first registered wins a partial overlap).
    const kept: Edit[] = [];
    for (const r of replacements) {
      const last = kept[kept.length - 1];
      if (last && r.start < last.end) continue;
      kept.push(r);
    }
    const covered = (pos: number): boolean => kept.some((r) => r.start < pos && pos < r.end);
    const inserts = inside.filter((e) => e.insert && !covered(e.start));
    type Item = { pos: number; order: number; edit: Edit };
    const items: Item[] = [];
    for (const r of kept) items.push({ pos: r.start, order: 2, edit: r });
    for (const i of inserts) items.push({ pos: i.start, order: i.insert === 'close' ? 0 : 1, edit: i });
    items.sort((a, b) => {
      if (a.pos !== b.pos) return a.pos - b.pos;
      if (a.order !== b.order) return a.order - b.order;
      if (a.order === 0) return a.edit.span - b.edit.span || b.edit.seq - a.edit.seq;
      if (a.order === 1) return b.edit.span - a.edit.span || a.edit.seq - b.edit.seq;
      return 0;
    });
    let out = '';
    let pos = start;
    for (const it of items) {
      if (it.pos < pos) continue;
      out += this.source.slice(pos, it.pos);
      pos = it.pos;
      const t = it.edit.text;
      out += typeof t === 'function' ? t() : t;
      if (!it.edit.insert) pos = it.edit.end;
    }
    return out + this.source.slice(pos, end);
  }
}
