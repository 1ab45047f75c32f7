// A channel's history as a windowed list (only the posts on screen are in the DOM), kept
// at the bottom while new posts arrive, paging back when scrolled to the top.

import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';

import type { Team } from '../api/types';
import { loadOlderPosts, type Thunk } from '../store/actions';
import { loadNewerPosts } from '../store/permalink';
import { useAppDispatch, useAppSelector, type RootState } from '../store/index';
import { PostItem } from './PostItem';

const EMPTY: string[] = [];

export function PostList({ channelId, team, highlight }: { channelId: string; team: Team; highlight: string }) {
  const order = useAppSelector((s) => s.entities.posts.postsInChannel[channelId]?.[0]?.order ?? EMPTY);
  const oldest = useAppSelector((s) => s.entities.posts.postsInChannel[channelId]?.[0]?.oldest ?? false);
  const recent = useAppSelector((s) => s.entities.posts.postsInChannel[channelId]?.[0]?.recent ?? true);
  const firstNew = useAppSelector((s) => firstNewPost(s, channelId, order));
  const ids = [...order].reverse(); // oldest first on screen
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const prevTotal = useRef(0);
  const prevFirst = useRef('');

  const virtualizer = useVirtualizer({
    count: ids.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => 64,
    overscan: 8,
    // Room above the first post for the start-of-channel line.
    paddingStart: 40,
    getItemKey: (i) => ids[i],
  });

  const scrollToBottom = useCallback(() => {
    if (ids.length) virtualizer.scrollToIndex(ids.length - 1, { align: 'end' });
  }, [ids.length, virtualizer]);

  // The marked post (a permalink's) is brought to the middle, again after each render
  // (the rows' real heights replace the estimates as they are measured), until it is
  // on screen; then the reader scrolls freely.
  const centering = useRef(highlight);
  useEffect(() => {
    centering.current = highlight;
  }, [highlight]);

  // New posts at the bottom: follow them when already at the bottom. Older posts at the
  // top: keep what is on screen where it was.
  useLayoutEffect(() => {
    const el = scroller.current;
    const total = virtualizer.getTotalSize();
    const marked = centering.current ? ids.indexOf(centering.current) : -1;
    if (marked >= 0) {
      atBottom.current = false;
      virtualizer.scrollToIndex(marked, { align: 'center' });
    } else if (el && prevFirst.current && ids[0] !== prevFirst.current && ids.includes(prevFirst.current)) {
      el.scrollTop += total - prevTotal.current;
    } else if (atBottom.current) {
      scrollToBottom();
    }
    prevTotal.current = total;
    prevFirst.current = ids[0] ?? '';
  });

  const [loadingOlder, pageBack] = usePaging(channelId, oldest, loadOlderPosts);
  const [loadingNewer, pageForward] = usePaging(channelId, recent, loadNewerPosts);
  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    if (centering.current) {
      // Paging waits until the marked post is in view.
      const row = el.querySelector('.post--highlight')?.getBoundingClientRect();
      const box = el.getBoundingClientRect();
      if (!row || row.top < box.top || row.bottom > box.bottom) return;
      centering.current = '';
    }
    const fromBottom = el.scrollHeight - el.scrollTop - el.clientHeight;
    // Only the newest posts are "the bottom" to stay at; a permalink's window is not.
    atBottom.current = recent && fromBottom < 40;
    if (el.scrollTop < 300) pageBack();
    if (fromBottom < 300) pageForward();
  };

  const items = virtualizer.getVirtualItems();
  return (
    <div className="posts" ref={scroller} onScroll={onScroll} role="log" aria-label="Messages" aria-busy={loadingOlder || loadingNewer} tabIndex={0}>
      {/* margin-top: auto keeps a short history at the bottom, next to the composer */}
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative', width: '100%', marginTop: 'auto', flexShrink: 0 }}>
        <p className="posts__start">
          {ids.length === 0 ? 'No messages yet. Say hello!' : oldest ? 'This is the start of the channel.' : loadingOlder ? 'Loading older messages…' : ''}
        </p>
        {items.map((item) => (
          <div
            key={item.key}
            data-index={item.index}
            ref={virtualizer.measureElement}
            style={{ position: 'absolute', top: 0, left: 0, width: '100%', transform: `translateY(${item.start}px)` }}
          >
            <PostItem
              postId={ids[item.index]}
              team={team}
              highlighted={ids[item.index] === highlight}
              previousId={ids[item.index - 1]}
              firstNew={ids[item.index] === firstNew}
            />
          </div>
        ))}
      </div>
    </div>
  );
}

/**
 * The oldest post someone else wrote after the channel was last viewed (before it was
 * opened, `views.newSince`), or '' when there is none: the "new messages" line goes
 * above it. `order` is newest first.
 */
export function firstNewPost(state: RootState, channelId: string, order: string[]): string {
  const since = state.views.newSince[channelId] ?? 0;
  if (!since) return '';
  const me = state.entities.users.currentUserId;
  let first = '';
  for (const id of order) {
    const post = state.entities.posts.posts[id];
    if (!post || post.create_at <= since) break;
    if (post.user_id !== me) first = id;
  }
  return first;
}

/**
 * Load the next page one way (older posts until the start, or newer ones until the
 * newest), one request at a time; `done` when there is nothing more that way.
 */
function usePaging(channelId: string, done: boolean, load: (channelId: string) => Thunk<boolean>): [boolean, () => void] {
  const dispatch = useAppDispatch();
  const loading = useRef(false);
  const [busy, setBusy] = useState(false);
  const page = () => {
    if (done || loading.current) return;
    loading.current = true;
    setBusy(true);
    dispatch(load(channelId))
      .catch(() => false)
      .finally(() => {
        loading.current = false;
        setBusy(false);
      });
  };
  return [busy, page];
}
