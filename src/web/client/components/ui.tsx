/**
 * The console's small building blocks: page header, alerts, spinner, empty state, badges, copy
 * buttons, labelled fields and a modal dialog (the native <dialog>, so focus is trapped and Escape
 * closes it). Every control is a real button, link or form field, so the keyboard reaches it.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';

export function PageHeader(props: { title: string; description?: string; actions?: ComponentChildren }) {
  return (
    <header class="page-header">
      <div>
        <h1>{props.title}</h1>
        {props.description && <p class="page-description">{props.description}</p>}
      </div>
      {props.actions && <div class="page-actions">{props.actions}</div>}
    </header>
  );
}

export function Alert(props: { kind?: 'error' | 'warning' | 'info' | 'success'; title?: string; children: ComponentChildren }) {
  const kind = props.kind ?? 'error';
  return (
    <div class={`alert alert-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {props.title && <strong class="alert-title">{props.title}</strong>}
      <div>{props.children}</div>
    </div>
  );
}

export function ErrorText(props: { error: unknown }) {
  return <Alert kind="error">{messageOf(props.error)}</Alert>;
}

export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : 'Something went wrong. Try again.';
}

export function Spinner(props: { label?: string }) {
  return (
    <div class="spinner-wrap" role="status">
      <span class="spinner" aria-hidden="true" />
      <span class="spinner-label">{props.label ?? 'Loading…'}</span>
    </div>
  );
}

export function Empty(props: { children: ComponentChildren }) {
  return <div class="empty">{props.children}</div>;
}

export function Badge(props: { tone?: 'good' | 'warn' | 'bad' | 'neutral' | 'info'; children: ComponentChildren }) {
  return <span class={`badge badge-${props.tone ?? 'neutral'}`}>{props.children}</span>;
}

export function CopyButton(props: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.text);
    } catch {
      // Without clipboard access (plain HTTP on another host): select a hidden textarea and copy.
      const t = document.createElement('textarea');
      t.value = props.text;
      t.setAttribute('readonly', '');
      t.style.position = 'fixed';
      t.style.opacity = '0';
      document.body.append(t);
      t.select();
      document.execCommand('copy');
      t.remove();
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 1600);
  };
  return (
    <button type="button" class="btn btn-small btn-ghost copy" onClick={() => void copy()} aria-label={`Copy ${props.label}`}>
      {copied ? <CheckIcon /> : <CopyIcon />} {copied ? 'Copied' : 'Copy'}
      <span class="sr-only" aria-live="polite">{copied ? `${props.label} copied` : ''}</span>
    </button>
  );
}

/** A labelled value with a copy button (connection guides, new keys); a placeholder has none. */
export function CopyValue(props: { label: string; value: string; secret?: boolean; placeholder?: boolean }) {
  return (
    <div class="copy-value">
      <span class="copy-label">{props.label}</span>
      {props.placeholder ? <span class="placeholder">{props.value}</span> : <code class={props.secret ? 'secret' : ''}>{props.value}</code>}
      {props.placeholder ? <span /> : <CopyButton text={props.value} label={props.label} />}
    </div>
  );
}

function CopyIcon() {
  return (
    <svg class="icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
      <rect x="5.5" y="5.5" width="8" height="8" rx="1.5" fill="none" stroke="currentColor" stroke-width="1.5" />
      <path d="M10.5 3.5v-0.5a1.5 1.5 0 0 0-1.5-1.5h-5a1.5 1.5 0 0 0-1.5 1.5v5a1.5 1.5 0 0 0 1.5 1.5h0.5" fill="none" stroke="currentColor" stroke-width="1.5" />
    </svg>
  );
}

function CheckIcon() {
  return (
    <svg class="icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
      <path d="M3 8.5l3 3 7-7" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" />
    </svg>
  );
}

type FieldProps = { label: string; hint?: string; children: (id: string, hintId: string | undefined) => ComponentChildren; class?: string };

/** A form field: its label is tied to the control by id, and the hint by aria-describedby. */
export function Field(props: FieldProps) {
  const id = useId();
  const hintId = props.hint ? `${id}-hint` : undefined;
  return (
    <div class={`field ${props.class ?? ''}`}>
      <label for={id}>{props.label}</label>
      {props.children(id, hintId)}
      {props.hint && (
        <p class="hint" id={hintId}>
          {props.hint}
        </p>
      )}
    </div>
  );
}

export function Select(props: {
  label: string;
  value: string;
  options: { value: string; label: string }[];
  onChange: (v: string) => void;
  hint?: string;
  class?: string;
  disabled?: boolean;
}) {
  return (
    <Field label={props.label} hint={props.hint} class={props.class}>
      {(id, hintId) => (
        <select
          id={id}
          value={props.value}
          disabled={props.disabled}
          aria-describedby={hintId}
          onChange={(e) => props.onChange((e.target as HTMLSelectElement).value)}
        >
          {props.options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

interface InputExtras {
  type?: 'text' | 'password' | 'search';
  placeholder?: string;
  required?: boolean;
  autocomplete?: string;
  name?: string;
  maxLength?: number;
  minLength?: number;
  pattern?: string;
  autoFocus?: boolean;
}

export function TextInput(props: { label: string; value: string; onInput: (v: string) => void; hint?: string; class?: string } & InputExtras) {
  const { label, value, onInput, hint, class: cls, type, ...rest } = props;
  return (
    <Field label={label} hint={hint} class={cls}>
      {(id, hintId) => (
        <input id={id} type={(type ?? 'text') as 'text'} value={value} aria-describedby={hintId} onInput={(e) => onInput((e.target as HTMLInputElement).value)} {...rest} />
      )}
    </Field>
  );
}

/** A modal dialog; `onClose` runs on Escape, the close button, or a click on the backdrop. */
export function Dialog(props: { title: string; subtitle?: ComponentChildren; onClose: () => void; children: ComponentChildren; footer?: ComponentChildren; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    const opener = document.activeElement as HTMLElement | null;
    if (!d.open) d.showModal();
    const onCancel = (e: Event) => {
      e.preventDefault();
      props.onClose();
    };
    d.addEventListener('cancel', onCancel);
    return () => {
      d.removeEventListener('cancel', onCancel);
      if (d.open) d.close();
      opener?.focus?.();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      class={`dialog ${props.wide ? 'dialog-wide' : ''}`}
      aria-labelledby={titleId}
      onClick={(e) => {
        if (e.target === ref.current) props.onClose();
      }}
    >
      <div class="dialog-inner">
        <header class="dialog-header">
          <div>
            <h2 id={titleId}>{props.title}</h2>
            {props.subtitle && <p class="dialog-subtitle">{props.subtitle}</p>}
          </div>
          <button type="button" class="btn btn-ghost btn-icon" onClick={props.onClose} aria-label="Close">
            <span aria-hidden="true">✕</span>
          </button>
        </header>
        <div class="dialog-body">{props.children}</div>
        {props.footer && <footer class="dialog-footer">{props.footer}</footer>}
      </div>
    </dialog>
  );
}

/** Asks before a destructive action. */
export function Confirm(props: { title: string; children: ComponentChildren; confirmLabel: string; danger?: boolean; onConfirm: () => void; onCancel: () => void }) {
  return (
    <Dialog
      title={props.title}
      onClose={props.onCancel}
      footer={
        <>
          <button type="button" class="btn" onClick={props.onCancel}>
            Cancel
          </button>
          <button type="button" class={`btn ${props.danger ? 'btn-danger' : 'btn-primary'}`} onClick={props.onConfirm}>
            {props.confirmLabel}
          </button>
        </>
      }
    >
      {props.children}
    </Dialog>
  );
}
