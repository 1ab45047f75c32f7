// One post: author, time in the viewer's zone, markdown, attachments, reactions, and the
// actions on it (reply, react, edit and delete one's own).

import { format, isToday } from 'date-fns';
import { memo, useRef, useState, type MouseEvent } from 'react';
import { useNavigate } from 'react-router-dom';

import { Client4 } from '../api/client';
import type { Post, Team } from '../api/types';
import { renderMarkdown } from '../markdown/render';
import { PostDropdownPlug, PostTypePlug } from '../plugins/Pluggable';
import { useAppDispatch, useAppSelector } from '../store/index';
import { displayName } from '../store/selectors';
import { viewsActions } from '../store/views';
import { Attachments } from './Attachments';
import { Avatar } from './Avatar';
import { EditBox } from './EditBox';
import { EmojiPicker } from './EmojiPicker';
import { Reactions } from './Reactions';

const GROUP_MS = 5 * 60 * 1000;

/**
 * A post's time in the viewer's time zone: the browser's, or the one set on their
 * profile when automatic time zone is off (Mattermost's `timezone.manualTimezone`).
 */
export function postTime(at: number, timeZone?: string): { short: string; full: string } {
  const d = new Date(at);
  if (!timeZone) {
    return { short: isToday(d) ? format(d, 'HH:mm') : format(d, 'MMM d, HH:mm'), full: format(d, 'EEEE, MMMM d, yyyy HH:mm:ss') };
  }
  try {
    const day = (x: Date) => new Intl.DateTimeFormat('en-CA', { timeZone, dateStyle: 'short' }).format(x);
    const sameDay = day(d) === day(new Date());
    const short = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', ...(sameDay ? {} : { month: 'short', day: 'numeric' }) }).format(d);
    const full = new Intl.DateTimeFormat('en-GB', { timeZone, dateStyle: 'full', timeStyle: 'medium' }).format(d);
    return { short, full };
  } catch {
    return postTime(at);
  }
}

/** The time zone a user chose, or undefined for the browser's own. */
export function chosenTimeZone(user: { timezone?: { useAutomaticTimezone?: string; manualTimezone?: string } } | undefined): string | undefined {
  const tz = user?.timezone;
  return tz && tz.useAutomaticTimezone === 'false' && tz.manualTimezone ? tz.manualTimezone : undefined;
}

/** Follow ~channel links inside the app instead of reloading the page. */
export function useInAppLinks() {
  const navigate = useNavigate();
  return (e: MouseEvent) => {
    const a = (e.target as HTMLElement).closest('a.channel-link');
    if (a) {
      e.preventDefault();
      navigate(a.getAttribute('href') ?? '/');
    }
  };
}

interface Props {
  postId: string;
  team: Team;
  highlighted?: boolean;
  previousId?: string;
  inThread?: boolean;
}

export const PostItem = memo(function PostItem({ postId, team, highlighted, previousId, inThread }: Props) {
  const post = useAppSelector((s) => s.entities.posts.posts[postId]);
  const previous = useAppSelector((s) => (previousId ? s.entities.posts.posts[previousId] : undefined));
  const author = useAppSelector((s) => (post ? s.entities.users.profiles[post.user_id] : undefined));
  const me = useAppSelector((s) => s.entities.users.profiles[s.entities.users.currentUserId]);
  const editing = useAppSelector((s) => s.views.editingPostId === postId);
  const replyCount = useAppSelector((s) => s.entities.posts.postsInThread[postId]?.length ?? 0);
  const root = useAppSelector((s) => (post?.root_id ? s.entities.posts.posts[post.root_id] : undefined));
  const rootAuthor = useAppSelector((s) => (root ? s.entities.users.profiles[root.user_id] : undefined));
  const dispatch = useAppDispatch();
  const onLinkClick = useInAppLinks();
  if (!post) return null;

  const mine = post.user_id === me?.id;
  const pending = post.id === post.pending_post_id;
  const ephemeral = post.type === 'system_ephemeral';
  const system = post.type.startsWith('system_') && !ephemeral;
  const name = (post.props.from_webhook === 'true' && typeof post.props.override_username === 'string' && post.props.override_username) || displayName(author);
  const grouped =
    previous && previous.user_id === post.user_id && post.create_at - previous.create_at < GROUP_MS && !previous.type && !post.type && !post.root_id && !previous.root_id;
  const time = postTime(post.create_at, chosenTimeZone(me));
  const replyTo = () => dispatch(viewsActions.openThread(post.root_id || post.id));
  const threadCount = Math.max(post.reply_count ?? 0, replyCount);

  return (
    <article
      className={`post${grouped ? ' post--grouped' : ''}${highlighted ? ' post--highlight' : ''}${pending ? ' post--pending' : ''}${ephemeral ? ' post--ephemeral' : ''}${system ? ' post--system' : ''}`}
      aria-label={`${name} at ${time.short}`}
      data-post-id={post.id}
    >
      <div className="post__gutter">{grouped ? <span className="post__time-hover">{time.short}</span> : <Avatar userId={post.user_id} size={36} />}</div>
      <div className="post__body">
        {!grouped && (
          <header className="post__header">
            <strong className="post__author">{name}</strong>
            {(author?.is_bot || post.props.from_webhook === 'true') && <span className="tag">BOT</span>}
            <time dateTime={new Date(post.create_at).toISOString()} title={time.full}>
              {time.short}
            </time>
            {ephemeral && <span className="muted">(Only visible to you)</span>}
          </header>
        )}
        {!inThread && post.root_id && (
          <button className="post__reply-to btn btn--link" onClick={replyTo}>
            Replied to {rootAuthor ? `${rootAuthor.username}'s` : 'a'} thread
          </button>
        )}
        {/* A plugin's post type draws the whole body: message and attachments. */}
        <PostTypePlug post={post} isRHS={inThread}>
          {editing ? (
            <EditBox post={post} />
          ) : (
            <div className="post__message markdown" onClick={onLinkClick} dangerouslySetInnerHTML={{ __html: renderMarkdown(post.message, { username: me?.username, teamName: team.name }) }} />
          )}
          {post.edit_at > 0 && !editing && <span className="muted post__edited">(edited)</span>}
          {post.props.attachments && <Attachments post={post} team={team} />}
        </PostTypePlug>
        <Reactions post={post} />
        {!inThread && !post.root_id && threadCount > 0 && (
          <button className="btn btn--link post__replies" onClick={replyTo}>
            {threadCount} {threadCount === 1 ? 'reply' : 'replies'}
          </button>
        )}
      </div>
      {!pending && !ephemeral && !editing && <PostToolbar post={post} mine={mine} inThread={inThread} onReply={replyTo} />}
    </article>
  );
});

/** The actions on a post: react, reply, and edit and delete one's own. */
function PostToolbar({ post, mine, inThread, onReply }: { post: Post; mine: boolean; inThread?: boolean; onReply: () => void }) {
  const me = useAppSelector((s) => s.entities.users.currentUserId);
  const [picker, setPicker] = useState(false);
  const pickerButton = useRef<HTMLButtonElement>(null);
  return (
    <div className="post__actions" role="toolbar" aria-label="Message actions">
      <button ref={pickerButton} className="icon-btn" onClick={() => setPicker((v) => !v)} aria-label="Add a reaction" title="Add a reaction" aria-expanded={picker}>
        ☺
      </button>
      {!inThread && (
        <button className="icon-btn" onClick={onReply} aria-label="Reply in thread" title="Reply">
          ↩
        </button>
      )}
      {mine && <PostOwnerActions post={post} />}
      <PostDropdownPlug postId={post.id} />
      {picker && (
        <EmojiPicker
          anchor={pickerButton.current}
          onClose={() => setPicker(false)}
          onPick={(emoji) => {
            setPicker(false);
            void Client4.addReaction(me, post.id, emoji);
          }}
        />
      )}
    </div>
  );
}

function PostOwnerActions({ post }: { post: Post }) {
  const dispatch = useAppDispatch();
  return (
    <>
      <button className="icon-btn" onClick={() => dispatch(viewsActions.editPost(post.id))} aria-label="Edit message" title="Edit">
        ✎
      </button>
      <button
        className="icon-btn"
        onClick={() => {
          if (window.confirm('Delete this message?')) void Client4.deletePost(post.id);
        }}
        aria-label="Delete message"
        title="Delete"
      >
        🗑
      </button>
    </>
  );
}
