/** The sync state in the top bar: online, offline, syncing; and how many local changes wait to be sent. */
import type { SyncStatus } from '../../lib/index.ts';

export function SyncBadge({ status, browserOnline }: { status: SyncStatus; browserOnline: boolean }) {
  const online = browserOnline && status.online;
  const label = !browserOnline || status.state === 'offline'
    ? 'Offline'
    : status.state === 'live'
      ? 'Online'
      : status.state === 'backingOff'
        ? 'Reconnecting…'
        : status.state === 'stopped'
          ? 'Stopped'
          : 'Syncing…';
  const tone = label === 'Online' ? 'ok' : label === 'Offline' ? 'off' : 'busy';
  return (
    <div className="sync" aria-live="polite">
      <span
        className={`badge badge-${tone}`}
        data-testid="sync-badge"
        data-online={String(online)}
        data-state={status.state}
        title={status.lastError ?? undefined}
      >
        <span className="dot" aria-hidden="true" />
        {label}
      </span>
      <span className={`pending ${status.pending > 0 ? 'pending-some' : ''}`} data-testid="pending-count" data-count={status.pending}>
        {status.pending > 0 ? `${status.pending} pending` : 'All saved'}
      </span>
    </div>
  );
}
