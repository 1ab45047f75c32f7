// Where plugin registrations are drawn. Every plugin component sits in its own error
// boundary: a plugin that throws while drawing loses its slot (with a note and a retry
// link, as in Mattermost) and is reported in the console; the page goes on.

import { Component, useState, useSyncExternalStore, type ErrorInfo, type ReactNode } from 'react';

import type { Channel, ChannelMember, Post } from '../api/types';
import { useAppSelector } from '../store/index';
import { guard, pluginComponents, type PluginEntry, type PluginsSnapshot, type SlotName } from './components';
import { mattermostTheme } from './theme';

export function usePlugins(): PluginsSnapshot {
  return useSyncExternalStore(pluginComponents.subscribe, pluginComponents.getSnapshot);
}

interface BoundaryProps {
  pluginId: string;
  children?: ReactNode;
}

export class PluginErrorBoundary extends Component<BoundaryProps, { failed: boolean }> {
  state = { failed: false };

  static getDerivedStateFromError() {
    return { failed: true };
  }

  componentDidCatch(error: Error, info: ErrorInfo) {
    console.error(`Plugin ${this.props.pluginId} failed while drawing:`, error, info.componentStack);
  }

  render() {
    if (!this.state.failed) return this.props.children;
    return (
      <div className="plugin-error" data-plugin-error={this.props.pluginId}>
        An error occurred in the {this.props.pluginId} plugin.{' '}
        <button className="btn btn--link" onClick={() => this.setState({ failed: false })}>
          Refresh?
        </button>
      </div>
    );
  }
}

function useTheme() {
  return mattermostTheme(useAppSelector((s) => s.views.theme));
}

/** Every component registered in a slot, each in its boundary, with `props` and `theme`. */
export function Pluggable({ slot, props = {} }: { slot: Extract<SlotName, 'Root' | 'LeftSidebarHeader'>; props?: Record<string, unknown> }) {
  const entries = usePlugins().components[slot] ?? [];
  const theme = useTheme();
  return (
    <>
      {entries.map(({ id, pluginId, component: C }) =>
        C ? (
          <PluginErrorBoundary key={id} pluginId={pluginId}>
            <C {...props} theme={theme} />
          </PluginErrorBoundary>
        ) : null,
      )}
    </>
  );
}

/** A post's body: the component a plugin registered for its type, else `children`. */
export function PostTypePlug({ post, isRHS = false, children }: { post: Post; isRHS?: boolean; children: ReactNode }) {
  const entry = usePlugins().postTypes[post.type];
  const theme = useTheme();
  if (!entry || !post.type) return <>{children}</>;
  const C = entry.component;
  return (
    <PluginErrorBoundary key={entry.id} pluginId={entry.pluginId}>
      <C post={post} theme={theme} isRHS={isRHS} compactDisplay={false} />
    </PluginErrorBoundary>
  );
}

function run(entry: PluginEntry, ...args: unknown[]) {
  guard(entry.pluginId, 'an action', () => (entry.action as ((...a: unknown[]) => unknown) | undefined)?.(...args));
}

/** The channel header's plugin buttons; `action(channel, channelMember)` as in Mattermost. */
export function ChannelHeaderPlug({ channel, member }: { channel: Channel; member: ChannelMember | undefined }) {
  const entries = usePlugins().components.ChannelHeaderButton ?? [];
  return (
    <>
      {entries.map((e) => (
        <PluginErrorBoundary key={e.id} pluginId={e.pluginId}>
          <button
            className="icon-btn channel__plugin-button"
            data-plugin-id={e.pluginId}
            aria-label={typeof e.dropdownText === 'string' ? e.dropdownText : undefined}
            title={typeof e.tooltipText === 'string' ? e.tooltipText : undefined}
            onClick={() => run(e, channel, member)}
          >
            {e.icon}
          </button>
        </PluginErrorBoundary>
      ))}
    </>
  );
}

/** A small menu of plugin items behind one button; drawn only when there are items. */
function PlugMenu({ label, entries, onPick }: { label: string; entries: PluginEntry[]; onPick: (e: PluginEntry) => void }) {
  const [open, setOpen] = useState(false);
  if (entries.length === 0) return null;
  return (
    <span className="plugin-menu">
      <button className="btn btn--small" aria-haspopup="menu" aria-expanded={open} aria-label={label} onClick={() => setOpen((v) => !v)}>
        ⋯
      </button>
      {open && (
        <ul className="plugin-menu__list" role="menu" aria-label={label}>
          {entries.map((e) => (
            <li key={e.id} role="none">
              <PluginErrorBoundary pluginId={e.pluginId}>
                <button
                  role="menuitem"
                  className="plugin-menu__item"
                  onClick={() => {
                    setOpen(false);
                    onPick(e);
                  }}
                >
                  {e.text}
                </button>
              </PluginErrorBoundary>
            </li>
          ))}
        </ul>
      )}
    </span>
  );
}

/** The main menu's plugin items; `action()` on click. */
export function MainMenuPlug() {
  const entries = usePlugins().components.MainMenu ?? [];
  return <PlugMenu label="Plugin menu" entries={entries} onPick={(e) => run(e)} />;
}

/** A post's plugin menu items, those whose `filter(postId)` allows it; `action(postId)` on click. */
export function PostDropdownPlug({ postId }: { postId: string }) {
  const all = usePlugins().components.PostDropdownMenu ?? [];
  const entries = all.filter((e) => !e.filter || guard(e.pluginId, 'a post menu filter', () => e.filter!(postId)) === true);
  return <PlugMenu label="More actions" entries={entries} onPick={(e) => run(e, postId)} />;
}

/** The right-hand sidebar a plugin opened with `showRHSPlugin`, or nothing. */
export function PluginRhs() {
  const snapshot = usePlugins();
  const theme = useTheme();
  const entry = (snapshot.components.RightHandSidebarComponent ?? []).find((e) => e.id === snapshot.rhsPluginId);
  if (!entry?.component) return null;
  const C = entry.component;
  return (
    <aside className="rhs" aria-label="Plugin panel" data-plugin-id={entry.pluginId}>
      <header className="rhs__header">
        <h2>{entry.title}</h2>
        <button className="modal__close" onClick={() => pluginComponents.hideRhs(entry.id)} aria-label="Close the panel">
          ×
        </button>
      </header>
      <div className="rhs__posts">
        <PluginErrorBoundary pluginId={entry.pluginId}>
          <C theme={theme} />
        </PluginErrorBoundary>
      </div>
    </aside>
  );
}

/** Whether a plugin's right-hand sidebar is open (the layout makes room for it). */
export function usePluginRhsOpen(): boolean {
  return usePlugins().rhsPluginId !== '';
}

/** `/<team>/<plugin_id>/<route>`: a page a plugin registered with `registerNeedsTeamRoute`. */
export function PluginTeamRoute({ path, fallback }: { path: string; fallback: ReactNode }) {
  const entries = usePlugins().components.NeedsTeamComponent ?? [];
  const theme = useTheme();
  const entry = entries.find((e) => e.route === path);
  if (!entry?.component) return <>{fallback}</>;
  const C = entry.component;
  return (
    <main className="plugin-page" data-plugin-id={entry.pluginId}>
      <PluginErrorBoundary pluginId={entry.pluginId}>
        <C theme={theme} />
      </PluginErrorBoundary>
    </main>
  );
}
