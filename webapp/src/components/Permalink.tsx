// `/<team>/pl/<post_id>`: find the post's channel and open it there, the post marked,
// however old: the channel's history is loaded around it.

import { useEffect, useState } from 'react';
import { Navigate, useParams } from 'react-router-dom';

import { Client4 } from '../api/client';
import { postsActions } from '../store/entities';
import { loadPostsAround } from '../store/permalink';
import { useAppDispatch } from '../store/index';

export function Permalink() {
  const { team = '', postId = '' } = useParams();
  const dispatch = useAppDispatch();
  const [target, setTarget] = useState<string | null>(null);
  const [error, setError] = useState('');

  useEffect(() => {
    let live = true;
    (async () => {
      const post = await Client4.getPost(postId);
      dispatch(postsActions.receivedPost(post));
      const channel = await Client4.getChannel(post.channel_id);
      const shown = post.root_id || post.id;
      await dispatch(loadPostsAround(channel.id, shown));
      if (live) setTarget(`/${team}/channels/${channel.name}?highlight=${shown}`);
    })().catch(() => live && setError('This message does not exist or you cannot see it.'));
    return () => {
      live = false;
    };
  }, [team, postId, dispatch]);

  if (target) return <Navigate to={target} replace />;
  return (
    <main className="loading" role={error ? 'alert' : 'status'}>
      {error || 'Opening the message…'}
    </main>
  );
}
