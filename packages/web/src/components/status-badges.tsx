/**
 * Sync, health and operation badges: the one place their colours, icons and words are decided, so
 * every view (tiles, list, tree nodes, resource rows, operation panel) shows a status the same way.
 * Colours follow Argo CD's, which users already read at a glance; every badge carries its word, so
 * colour is never the only signal.
 */

type Tone = 'ok' | 'warn' | 'bad' | 'busy' | 'idle' | 'muted';

const syncTone: Record<string, { tone: Tone; icon: string }> = {
  Synced: { tone: 'ok', icon: '✔' },
  OutOfSync: { tone: 'warn', icon: '▲' },
  Unknown: { tone: 'muted', icon: '?' },
};

const healthTone: Record<string, { tone: Tone; icon: string }> = {
  Healthy: { tone: 'ok', icon: '♥' },
  Progressing: { tone: 'busy', icon: '◌' },
  Degraded: { tone: 'bad', icon: '✖' },
  Suspended: { tone: 'idle', icon: '❚❚' },
  Missing: { tone: 'warn', icon: '∅' },
  Unknown: { tone: 'muted', icon: '?' },
};

const phaseTone: Record<string, { tone: Tone; icon: string }> = {
  Running: { tone: 'busy', icon: '◌' },
  Terminating: { tone: 'busy', icon: '■' },
  Succeeded: { tone: 'ok', icon: '✔' },
  Failed: { tone: 'bad', icon: '✖' },
  Error: { tone: 'bad', icon: '✖' },
};

function Badge(props: {
  kind: string;
  value: string;
  table: Record<string, { tone: Tone; icon: string }>;
  compact?: boolean | undefined;
}) {
  const look = props.table[props.value] ?? { tone: 'muted' as const, icon: '?' };
  return (
    <span
      className={`badge badge-${look.tone}`}
      data-status={props.value}
      title={`${props.kind}: ${props.value}`}
    >
      <span className="badge-icon" aria-hidden="true">
        {look.icon}
      </span>
      {props.compact ? (
        <span className="visually-hidden">{props.value}</span>
      ) : (
        <span className="badge-text">{props.value}</span>
      )}
    </span>
  );
}

/** Synced / OutOfSync / Unknown (absent = Unknown). */
export function SyncBadge(props: { status: string | undefined; compact?: boolean }) {
  return (
    <Badge kind="Sync" value={props.status ?? 'Unknown'} table={syncTone} compact={props.compact} />
  );
}

/** Healthy / Progressing / Degraded / Suspended / Missing / Unknown (absent = Unknown). */
export function HealthBadge(props: { status: string | undefined; compact?: boolean }) {
  return (
    <Badge
      kind="Health"
      value={props.status ?? 'Unknown'}
      table={healthTone}
      compact={props.compact}
    />
  );
}

/** An operation's phase: Running / Terminating / Succeeded / Failed / Error. */
export function PhaseBadge(props: { phase: string; compact?: boolean }) {
  return <Badge kind="Operation" value={props.phase} table={phaseTone} compact={props.compact} />;
}
