// The thread side panel: the root post, its replies, a reply composer.

import { useEffect } from 'react';

import type { Team } from '../api/types';
import { loadThread } from '../store/actions';
import { useAppDispatch, useAppSelector } from '../store/index';
import { viewsActions } from '../store/views';
import { Composer } from './Composer';
import { PostItem } from './PostItem';
import { TypingLine } from './TypingLine';

const EMPTY: string[] = [];

export function ThreadPanel({ rootId, team }: { rootId: string; team: Team }) {
  const dispatch = useAppDispatch();
  const root = useAppSelector((s) => s.entities.posts.posts[rootId]);
  const replies = useAppSelector((s) => s.entities.posts.postsInThread[rootId] ?? EMPTY);

  useEffect(() => {
    void dispatch(loadThread(rootId)).catch(() => {});
  }, [rootId, dispatch]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !document.querySelector('[role="dialog"]')) dispatch(viewsActions.closeThread());
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [dispatch]);

  return (
    <aside className="rhs" aria-label="Thread">
      <header className="rhs__header">
        <h2>Thread</h2>
        <button className="modal__close" onClick={() => dispatch(viewsActions.closeThread())} aria-label="Close the thread">
          ×
        </button>
      </header>
      <div className="rhs__posts" role="log" aria-label="Thread messages">
        {root ? <PostItem postId={rootId} team={team} inThread /> : <p className="muted">Loading…</p>}
        {replies.length > 0 && (
          <p className="rhs__count">
            {replies.length} {replies.length === 1 ? 'reply' : 'replies'}
          </p>
        )}
        {replies.map((id, i) => (
          <PostItem key={id} postId={id} team={team} inThread previousId={i > 0 ? replies[i - 1] : undefined} />
        ))}
      </div>
      {root && (
        <>
          <TypingLine typingKey={`${root.channel_id}:${rootId}`} />
          <Composer channelId={root.channel_id} team={team} rootId={rootId} placeholder="Reply…" />
        </>
      )}
    </aside>
  );
}
