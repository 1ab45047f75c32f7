// Message attachments drawn as Mattermost draws them: colour bar, pretext, author, title
// link, text, fields in columns, image and thumbnail, footer, and interactive buttons and
// menus that call the action route.

import { useState } from 'react';

import { ApiError, Client4 } from '../api/client';
import type { Attachment, AttachmentField, Post, PostAction, Team } from '../api/types';
import { renderInline, renderMarkdown } from '../markdown/render';
import { useAppSelector } from '../store/index';
import { DataSourceSelect, isDynamicSource } from './DataSourceSelect';
import { useInAppLinks } from './PostItem';

const NAMED_COLORS: Record<string, string> = { good: '#3db887', warning: '#ffbc1f', danger: '#d24b4e' };

function safeUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url, window.location.origin);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

export function Attachments({ post, team }: { post: Post; team: Team }) {
  return (
    <div className="attachments">
      {(post.props.attachments ?? []).map((a, i) => (
        <AttachmentView key={i} attachment={a} post={post} team={team} />
      ))}
    </div>
  );
}

/** Short fields pair up in two columns; a long field takes a row of its own. */
function fieldRows(fields: AttachmentField[]): AttachmentField[][] {
  const rows: AttachmentField[][] = [];
  for (const f of fields) {
    const last = rows[rows.length - 1];
    if (f.short && last && last.length === 1 && last[0].short) last.push(f);
    else rows.push([f]);
  }
  return rows;
}

function AttachmentView({ attachment: a, post, team }: { attachment: Attachment; post: Post; team: Team }) {
  const username = useAppSelector((s) => s.entities.users.profiles[s.entities.users.currentUserId]?.username);
  const onLinkClick = useInAppLinks();
  const ctx = { username, teamName: team.name };
  const color = a.color ? (NAMED_COLORS[a.color] ?? a.color) : undefined;
  const titleLink = safeUrl(a.title_link);
  const authorLink = safeUrl(a.author_link);
  return (
    <div className="attachment" style={color ? { borderLeftColor: color } : undefined} onClick={onLinkClick}>
      {a.pretext && <div className="attachment__pretext markdown" dangerouslySetInnerHTML={{ __html: renderMarkdown(a.pretext, ctx) }} />}
      <div className="attachment__content">
        <div className="attachment__main">
          {a.author_name && (
            <div className="attachment__author">
              {safeUrl(a.author_icon) && <img src={safeUrl(a.author_icon)} alt="" width={14} height={14} />}
              {authorLink ? (
                <a href={authorLink} target="_blank" rel="noopener noreferrer">
                  {a.author_name}
                </a>
              ) : (
                <span>{a.author_name}</span>
              )}
            </div>
          )}
          {a.title && (
            <h4 className="attachment__title">
              {titleLink ? (
                <a href={titleLink} target="_blank" rel="noopener noreferrer">
                  {a.title}
                </a>
              ) : (
                <span dangerouslySetInnerHTML={{ __html: renderInline(a.title, ctx) }} />
              )}
            </h4>
          )}
          {a.text && <div className="attachment__text markdown" dangerouslySetInnerHTML={{ __html: renderMarkdown(a.text, ctx) }} />}
          {a.fields && a.fields.length > 0 && (
            <table className="attachment__fields">
              <tbody>
                {fieldRows(a.fields).map((row, i) => (
                  <tr key={i}>
                    {row.map((f, j) => (
                      <td key={j} colSpan={row.length === 1 && !f.short ? 2 : 1}>
                        {f.title && <div className="attachment__field-title">{f.title}</div>}
                        <div className="markdown" dangerouslySetInnerHTML={{ __html: renderMarkdown(String(f.value ?? ''), ctx) }} />
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {safeUrl(a.image_url) && <img className="attachment__image" src={safeUrl(a.image_url)} alt={a.fallback ?? a.title ?? ''} />}
        </div>
        {safeUrl(a.thumb_url) && <img className="attachment__thumb" src={safeUrl(a.thumb_url)} alt="" width={75} height={75} />}
      </div>
      {a.actions && a.actions.length > 0 && <Actions post={post} actions={a.actions} teamId={team.id} />}
      {a.footer && (
        <div className="attachment__footer">
          {safeUrl(a.footer_icon) && <img src={safeUrl(a.footer_icon)} alt="" width={16} height={16} />}
          <span>{a.footer}</span>
        </div>
      )}
    </div>
  );
}

function Actions({ post, actions, teamId }: { post: Post; actions: PostAction[]; teamId: string }) {
  const [busy, setBusy] = useState('');
  const [error, setError] = useState('');
  const run = async (action: PostAction, option = '') => {
    setBusy(action.id);
    setError('');
    try {
      await Client4.doPostAction(post.id, action.id, option);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'The action failed.');
    } finally {
      setBusy('');
    }
  };
  return (
    <div className="attachment__actions">
      {actions.map((action) =>
        action.type === 'select' && isDynamicSource(action.data_source) ? (
          // Options from the server (people or channels): the chosen one's id is the selected option.
          <DataSourceSelect
            key={action.id}
            source={action.data_source}
            teamId={teamId}
            value=""
            label={action.name}
            placeholder={action.name}
            disabled={action.disabled || busy === action.id}
            onChange={(value) => value && void run(action, value)}
          />
        ) : action.type === 'select' ? (
          <select
            key={action.id}
            aria-label={action.name}
            defaultValue={action.default_option ?? ''}
            disabled={action.disabled || busy === action.id}
            onChange={(e) => e.target.value && void run(action, e.target.value)}
          >
            <option value="">{action.name}</option>
            {(action.options ?? []).map((o) => (
              <option key={o.value} value={o.value}>
                {o.text}
              </option>
            ))}
          </select>
        ) : (
          <button
            key={action.id}
            className={`btn btn--small action-btn action-btn--${action.style ?? 'default'}`}
            disabled={action.disabled || busy === action.id}
            onClick={() => void run(action)}
          >
            {action.name}
          </button>
        ),
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
