// `/admin_console/...`: the System Console, for system admins. Others get a refusal (and
// the server refuses them every admin call regardless). Today it has the Plugins section:
// Plugin Management and one settings page per plugin, routed as Mattermost routes them.

import { Link, Navigate, NavLink, Route, Routes } from 'react-router-dom';

import { useAppDispatch, useAppSelector } from '../store/index';
import { viewsActions } from '../store/views';
import { PluginManagement } from './console/PluginManagement';
import { PluginSettingsPage } from './console/PluginSettingsPage';

export function AdminConsole() {
  const me = useAppSelector((s) => s.entities.users.profiles[s.entities.users.currentUserId]);
  const admin = me?.roles?.split(' ').includes('system_admin');
  if (!admin) {
    return (
      <main className="admin-console admin-console--refused">
        <h1>System Console</h1>
        <p role="alert">You do not have permission to open the System Console. Only system admins can manage this server.</p>
        <Link to="/">Back to your teams</Link>
      </main>
    );
  }
  return (
    <div className="admin-console">
      <ConsoleNav />
      <main className="admin-console__main">
        <Routes>
          <Route path="plugins/plugin_management" element={<PluginManagement />} />
          <Route path="plugins/:page" element={<PluginSettingsPage />} />
          <Route path="*" element={<Navigate to="/admin_console/plugins/plugin_management" replace />} />
        </Routes>
      </main>
    </div>
  );
}

function ConsoleNav() {
  const dispatch = useAppDispatch();
  const plugins = useAppSelector((s) => s.entities.admin.plugins);
  const theme = useAppSelector((s) => s.views.theme);
  const withSettings = Object.values(plugins)
    .filter((p) => p.settings_schema?.settings?.length || p.settings_schema?.header)
    .sort((a, b) => (a.name || a.id).localeCompare(b.name || b.id));
  return (
    <nav className="admin-console__nav" aria-label="System Console">
      <h1>System Console</h1>
      <h2>Plugins</h2>
      <ul>
        <li>
          <NavLink to="/admin_console/plugins/plugin_management">Plugin Management</NavLink>
        </li>
        {withSettings.map((p) => (
          <li key={p.id}>
            <NavLink to={`/admin_console/plugins/plugin_${encodeURIComponent(p.id)}`}>{p.name || p.id}</NavLink>
          </li>
        ))}
      </ul>
      <div className="admin-console__nav-foot">
        <button className="btn btn--small" onClick={() => dispatch(viewsActions.setTheme(theme === 'dark' ? 'light' : 'dark'))} aria-label="Switch light or dark theme">
          {theme === 'dark' ? 'Light theme' : 'Dark theme'}
        </button>
        <Link to="/">Back to your teams</Link>
      </div>
    </nav>
  );
}
