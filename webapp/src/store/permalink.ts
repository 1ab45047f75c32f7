// Permalinks to old posts: the channel's history loaded as a window around the post
// (Mattermost's "posts around"), then paged forward to the newest as the reader scrolls.

import { Client4 } from '../api/client';
import { loadProfiles, PAGE_SIZE, postsOf, type Thunk } from './actions';
import { postsActions } from './entities';

/**
 * Load the page before `postId`, the post and the page after it as the channel's
 * history. The window is `recent` when nothing newer exists, and `oldest` when nothing older does.
 */
export function loadPostsAround(channelId: string, postId: string): Thunk {
  return async (dispatch) => {
    const [before, after, post] = await Promise.all([
      Client4.getPostsBefore(channelId, postId, PAGE_SIZE),
      Client4.getPostsAfter(channelId, postId, PAGE_SIZE),
      Client4.getPost(postId),
    ]);
    const posts = [...postsOf(after), post, ...postsOf(before)];
    await dispatch(loadProfiles(posts.map((p) => p.user_id)));
    const recent = !after.next_post_id && after.order.length < PAGE_SIZE;
    dispatch(postsActions.receivedPostsInChannel({ channelId, posts, oldest: before.order.length < PAGE_SIZE, replace: true, recent }));
  };
}

/** The page after the newest post of a window that is not the newest; false when there is nothing to load. */
export function loadNewerPosts(channelId: string): Thunk<boolean> {
  return async (dispatch, getState) => {
    const block = getState().entities.posts.postsInChannel[channelId]?.[0];
    const newestId = block?.order[0];
    if (!block || block.recent || !newestId) return false;
    const list = await Client4.getPostsAfter(channelId, newestId, PAGE_SIZE);
    const posts = postsOf(list);
    await dispatch(loadProfiles(posts.map((p) => p.user_id)));
    dispatch(postsActions.receivedPostsInChannel({ channelId, posts, oldest: false, recent: !list.next_post_id && list.order.length < PAGE_SIZE }));
    return posts.length > 0;
  };
}
