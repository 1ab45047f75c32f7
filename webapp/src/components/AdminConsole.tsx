// `/admin_console/...`: the route the System Console will fill (next issue). Today it
// lists the settings webapp plugins register, and says what is not here yet.

import { Link } from 'react-router-dom';

import { usePlugins } from '../plugins/Pluggable';
import { useAppSelector } from '../store/index';

export function AdminConsole() {
  const me = useAppSelector((s) => s.entities.users.profiles[s.entities.users.currentUserId]);
  const settings = Object.values(usePlugins().adminConsoleCustomSettings).flatMap((byKey) => Object.values(byKey));
  const admin = me?.roles?.split(' ').includes('system_admin');
  return (
    <main className="admin-console">
      <h1>System Console</h1>
      {!admin && <p role="alert">Only system admins can change the server's settings.</p>}
      {admin && (
        <p>
          The System Console is not part of this version of the web client. Plugin settings registered by webapp plugins: {settings.length}.
        </p>
      )}
      <Link to="/">Back to your teams</Link>
    </main>
  );
}
