// One installed plugin: name, version, state and health, what it costs right now, and
// its actions (each confirmed, each enforced by the server).

import { Link } from 'react-router-dom';

import type { PluginManifest, PluginStatus } from '../../api/admin';
import type { LiveCost } from './cost';
import { formatBytes, formatCount, formatMs } from './cost';

/** Mattermost's plugin states, as the console says them. */
const STATES: Record<number, string> = {
  0: 'Not running',
  1: 'Starting',
  2: 'Running',
  3: 'Failed to start',
  4: 'Stopped after repeated failures',
  5: 'Stopping',
};

export type PluginAction = 'enable' | 'disable' | 'remove' | 'permissions';

export function PluginCard({
  manifest,
  status,
  cost,
  pending,
  onAction,
}: {
  manifest: PluginManifest;
  status: PluginStatus | undefined;
  cost: LiveCost | null;
  /** Permissions waiting for approval (of this version, or of a staged upgrade). */
  pending: string[];
  onAction: (action: PluginAction) => void;
}) {
  const state = status?.state ?? 0;
  const name = manifest.name || manifest.id;
  const running = state === 1 || state === 2;
  const failed = state === 3 || state === 4;
  const hasSettings = Boolean(manifest.settings_schema?.settings?.length || manifest.settings_schema?.header);
  return (
    <article className="plugin-card" aria-label={name} data-plugin-id={manifest.id}>
      <header className="plugin-card__header">
        <h3>
          {name} <span className="plugin-card__version">{manifest.version}</span>
        </h3>
        <span className={`plugin-state plugin-state--${state}`} data-testid="plugin-state">
          {STATES[state] ?? `State ${state}`}
        </span>
      </header>
      <p className="plugin-card__id">
        <code>{manifest.id}</code>
        {manifest.webapp && <span className="plugin-card__tag">web code</span>}
      </p>
      {manifest.description && <p>{manifest.description}</p>}
      {status?.error && (
        <p className={failed ? 'form-error' : 'warning'} role="status" aria-label="Health">
          {status.error}
        </p>
      )}
      {pending.length > 0 && (
        <p className="warning">
          Waiting for approval: {pending.join(', ')}.{' '}
          <button className="btn--link" onClick={() => onAction('permissions')}>
            Review permissions
          </button>
        </p>
      )}
      <CostTable cost={cost} running={running} />
      <div className="plugin-card__actions">
        {(!running || failed) && (
          <button className="btn btn--primary btn--small" onClick={() => onAction('enable')}>
            {failed ? 'Restart' : 'Enable'}
          </button>
        )}
        {(running || failed) && (
          <button className="btn btn--small" onClick={() => onAction('disable')}>
            Disable
          </button>
        )}
        <button className="btn btn--small" onClick={() => onAction('permissions')}>
          Permissions
        </button>
        {hasSettings && (
          <Link className="btn btn--small" to={`/admin_console/plugins/plugin_${encodeURIComponent(manifest.id)}`}>
            Settings
          </Link>
        )}
        <button className="btn btn--small btn--danger" onClick={() => onAction('remove')}>
          Remove
        </button>
      </div>
    </article>
  );
}

function CostTable({ cost, running }: { cost: LiveCost | null; running: boolean }) {
  if (!cost) return running ? <p className="muted">No cost figures yet.</p> : null;
  const failures = Object.entries(cost.failures);
  const span = cost.windowed ? 'last few seconds' : 'since it was loaded';
  return (
    <dl className="cost" aria-label="Live cost">
      <div>
        <dt>Calls/s</dt>
        <dd data-testid="calls-per-second">{cost.callsPerSecond === null ? '–' : cost.callsPerSecond.toFixed(1)}</dd>
      </div>
      <div>
        <dt title={`Hook latency, ${span}`}>p50 / p99</dt>
        <dd>
          {formatMs(cost.p50Ms)} / {formatMs(cost.p99Ms)}
        </dd>
      </div>
      <div>
        <dt title={`Wasm fuel (instructions) per call, ${span}`}>Fuel/call</dt>
        <dd>{formatCount(cost.fuelPerCall)}</dd>
      </div>
      <div>
        <dt>Failures</dt>
        <dd data-testid="failures">{failures.length ? failures.map(([kind, n]) => `${kind} ${n}`).join(', ') : 'none'}</dd>
      </div>
      <div>
        <dt>Instances</dt>
        <dd>
          {cost.instances}
          {cost.instanceLimit !== null && ` of ${cost.instanceLimit}`}
        </dd>
      </div>
      <div>
        <dt>Memory</dt>
        <dd data-testid="memory">{formatBytes(cost.memoryBytes)}</dd>
      </div>
      <div>
        <dt>Calls</dt>
        <dd data-testid="calls">{formatCount(cost.calls)}</dd>
      </div>
    </dl>
  );
}
