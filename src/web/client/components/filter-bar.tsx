/**
 * The filters every dashboard has: a date range (with presets), blueprint, team and member; form
 * data adds the field. Values live in the route (router.ts), so a filtered view is a link.
 */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { FilterOptions } from '../api-types.ts';
import { Field, Select } from './ui.tsx';

const PRESETS = [
  { value: 'all', label: 'All time', days: undefined },
  { value: '30d', label: 'Last 30 days', days: 30 },
  { value: '90d', label: 'Last 90 days', days: 90 },
  { value: '12m', label: 'Last 12 months', days: 365 },
  { value: 'custom', label: 'Custom range', days: undefined },
] as const;

const day = (d: Date) => d.toISOString().slice(0, 10);

export function presetOf(p: URLSearchParams): string {
  const from = p.get('from') ?? '';
  const to = p.get('to') ?? '';
  if (from === '' && to === '') return 'all';
  if (to === '') {
    for (const x of PRESETS) if (x.days !== undefined && from === day(new Date(Date.now() - x.days * 86_400_000))) return x.value;
  }
  return 'custom';
}

export function FilterBar(props: {
  params: URLSearchParams;
  options: FilterOptions | undefined;
  onChange: (p: URLSearchParams) => void;
  extra?: ComponentChildren;
}) {
  const p = props.params;
  const set = (changes: Record<string, string>) => {
    const next = new URLSearchParams(p);
    for (const [k, v] of Object.entries(changes)) {
      if (v === '') next.delete(k);
      else next.set(k, v);
    }
    props.onChange(next);
  };
  const preset = presetOf(p);
  const team = p.get('team') ?? '';
  const members = (props.options?.members ?? []).filter((m) => team === '' || m.team === team);
  const loading = !props.options;
  const [open, setOpen] = useState(false);
  const active = [...p.keys()].length;

  return (
    <>
    <button type="button" class="btn filters-toggle" aria-expanded={open} aria-controls="dashboard-filters" onClick={() => setOpen(!open)}>
      <span>Filters{active > 0 ? ` · ${active} active` : ''}</span>
      <span aria-hidden="true">{open ? '▲' : '▼'}</span>
    </button>
    <form id="dashboard-filters" class={`filters ${open ? '' : 'collapsed'}`} role="search" aria-label="Dashboard filters" onSubmit={(e) => e.preventDefault()}>
      <Select
        label="Period"
        value={preset}
        options={PRESETS.map((x) => ({ value: x.value, label: x.label }))}
        onChange={(v) => {
          const x = PRESETS.find((y) => y.value === v);
          if (!x || v === 'custom') return set({ from: p.get('from') ?? day(new Date(Date.now() - 90 * 86_400_000)), to: p.get('to') ?? day(new Date()) });
          set({ from: x.days === undefined ? '' : day(new Date(Date.now() - x.days * 86_400_000)), to: '' });
        }}
      />
      <Field label="From" class="field-date">
        {(id) => <input id={id} type="date" value={p.get('from') ?? ''} max={p.get('to') ?? undefined} onChange={(e) => set({ from: (e.target as HTMLInputElement).value })} />}
      </Field>
      <Field label="To" class="field-date">
        {(id) => <input id={id} type="date" value={p.get('to') ?? ''} min={p.get('from') ?? undefined} onChange={(e) => set({ to: (e.target as HTMLInputElement).value })} />}
      </Field>
      <Select
        label="Blueprint"
        value={p.get('blueprint') ?? ''}
        disabled={loading}
        options={[{ value: '', label: 'All blueprints' }, ...(props.options?.blueprints ?? []).map((b) => ({ value: b.id, label: b.name }))]}
        onChange={(v) => set({ blueprint: v })}
      />
      <Select
        label="Team"
        value={team}
        disabled={loading}
        options={[{ value: '', label: 'All teams' }, ...(props.options?.teams ?? []).map((t) => ({ value: t, label: t }))]}
        onChange={(v) => {
          const member = p.get('member');
          const keep = member && props.options?.members.find((m) => m.id === member)?.team === v;
          set({ team: v, member: keep || v === '' ? (member ?? '') : '' });
        }}
      />
      <Select
        label="Member"
        value={p.get('member') ?? ''}
        disabled={loading}
        options={[{ value: '', label: team ? `Everyone in ${team}` : 'Everyone' }, ...members.map((m) => ({ value: m.id, label: m.name }))]}
        onChange={(v) => set({ member: v })}
      />
      {props.extra}
    </form>
    </>
  );
}
