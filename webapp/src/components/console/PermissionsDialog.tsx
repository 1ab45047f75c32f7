// What a plugin (or its staged upgrade) asks to do, in words, before the admin approves:
// an upgrade lists exactly the permissions it adds; a bundle with web code says that
// code runs in users' pages with their session.

import { useState } from 'react';

import { AdminClient, type PluginPermissions } from '../../api/admin';
import { Modal } from '../Modal';
import { ALWAYS_ALLOWED, WEB_CODE_WARNING, describeCapability } from './capabilities';
import { errorText } from './errors';

export function PermissionsDialog({
  name,
  permissions,
  offerEnable,
  onDone,
  onClose,
}: {
  name: string;
  permissions: PluginPermissions;
  /** Also enable after approving (the plugin is installed but not running). */
  offerEnable: boolean;
  onDone: () => void;
  onClose: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const { requested, pending, staged_version: staged } = permissions;
  const alreadyGranted = requested.filter((p) => !pending.includes(p));
  const approve = async (enable: boolean) => {
    setBusy(true);
    setError('');
    try {
      if (pending.length) await AdminClient.approvePermissions(permissions.plugin_id);
      if (enable) await AdminClient.enablePlugin(permissions.plugin_id);
      onDone();
      onClose();
    } catch (e) {
      setError(errorText(e));
      setBusy(false);
    }
  };
  return (
    <Modal title={`Permissions of ${name}`} onClose={onClose} wide>
      {staged ? (
        <p>
          Version {staged} is uploaded and waits for your approval; the running version keeps serving until then. It asks for{' '}
          {pending.length === 1 ? 'one new permission' : `${pending.length} new permissions`}:
        </p>
      ) : pending.length ? (
        <p>This plugin asks to:</p>
      ) : (
        <p>Everything this plugin asks for is approved.</p>
      )}
      <ul className="permission-list" aria-label={staged ? 'New permissions' : 'Requested permissions'}>
        {(staged ? pending : requested).map((p) => (
          <li key={p} data-permission={p}>
            <span>{describeCapability(p)}</span> <code>{p}</code>
            {!staged && !pending.includes(p) && <span className="permission-list__granted"> (approved)</span>}
          </li>
        ))}
        {!requested.length && <li>nothing beyond what every plugin may do</li>}
      </ul>
      {staged && alreadyGranted.length > 0 && (
        <p className="muted">Already approved: {alreadyGranted.map(describeCapability).join('; ')}.</p>
      )}
      <p className="muted">Every plugin may also {ALWAYS_ALLOWED}.</p>
      {permissions.has_webapp && (
        <p className="warning" role="note">
          {WEB_CODE_WARNING}
        </p>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="modal__actions">
        <button className="btn" onClick={onClose}>
          Not now
        </button>
        {pending.length > 0 && (
          <button className={`btn ${offerEnable ? '' : 'btn--primary'}`} onClick={() => void approve(false)} disabled={busy}>
            {staged ? `Approve and upgrade to ${staged}` : 'Approve'}
          </button>
        )}
        {offerEnable && !staged && (
          <button className="btn btn--primary" onClick={() => void approve(true)} disabled={busy}>
            {pending.length ? 'Approve and enable' : 'Enable'}
          </button>
        )}
      </div>
    </Modal>
  );
}
