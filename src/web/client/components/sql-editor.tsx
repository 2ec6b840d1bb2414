/**
 * The SQL text editor: CodeMirror 6 with SQL highlighting and completion of this organization's
 * tables and columns. Ctrl/Cmd+Enter runs; Tab is left to the browser, so keyboard users can move
 * on to the next control (Ctrl+] indents).
 */
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap, indentLess, indentMore } from '@codemirror/commands';
import { PostgreSQL, StandardSQL, sql } from '@codemirror/lang-sql';
import { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { Compartment, EditorState } from '@codemirror/state';
import { EditorView, drawSelection, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers, placeholder } from '@codemirror/view';
import { useEffect, useRef } from 'preact/hooks';

export interface EditorHandle {
  insert(text: string): void;
  focus(): void;
  setText(text: string): void;
}

export function SqlEditor(props: {
  value: string;
  onChange: (v: string) => void;
  onRun: () => void;
  dialect: string;
  schema: Record<string, string[]>;
  labelledBy: string;
  handle: (h: EditorHandle) => void;
}) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | undefined>(undefined);
  const lang = useRef(new Compartment());
  const run = useRef(props.onRun);
  run.current = props.onRun;
  const change = useRef(props.onChange);
  change.current = props.onChange;

  const language = () => sql({ dialect: props.dialect === 'postgres' ? PostgreSQL : StandardSQL, schema: props.schema, upperCaseKeywords: true });

  useEffect(() => {
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: props.value,
        extensions: [
          lineNumbers(),
          highlightActiveLineGutter(),
          history(),
          drawSelection(),
          indentOnInput(),
          bracketMatching(),
          closeBrackets(),
          autocompletion(),
          highlightActiveLine(),
          EditorView.lineWrapping,
          syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
          placeholder('SELECT … FROM processes'),
          lang.current.of(language()),
          keymap.of([
            { key: 'Mod-Enter', run: () => (run.current(), true), preventDefault: true },
            { key: 'Mod-]', run: indentMore },
            { key: 'Mod-[', run: indentLess },
            ...closeBracketsKeymap,
            ...defaultKeymap,
            ...historyKeymap,
            ...completionKeymap,
          ]),
          EditorView.contentAttributes.of({ 'aria-labelledby': props.labelledBy, 'aria-multiline': 'true', role: 'textbox' }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) change.current(u.state.doc.toString());
          }),
          EditorView.theme({
            '&': { fontSize: '13.5px', height: '100%' },
            '.cm-scroller': { fontFamily: 'var(--mono)', lineHeight: '1.55' },
            '.cm-gutters': { background: '#f8fafc', color: '#94a3b8', border: 'none', borderRight: '1px solid #e2e8f0' },
            '.cm-activeLine': { background: '#f5f7ff' },
            '.cm-activeLineGutter': { background: '#eef2ff' },
            '&.cm-focused': { outline: 'none' },
          }),
        ],
      }),
    });
    view.current = v;
    props.handle({
      insert: (text) => {
        const sel = v.state.selection.main;
        v.dispatch({ changes: { from: sel.from, to: sel.to, insert: text }, selection: { anchor: sel.from + text.length } });
        v.focus();
      },
      focus: () => v.focus(),
      setText: (text) => v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: text } }),
    });
    return () => v.destroy();
  }, []);

  useEffect(() => {
    view.current?.dispatch({ effects: lang.current.reconfigure(language()) });
  }, [props.dialect, props.schema]);

  return <div ref={host} class="sql-editor" />;
}
