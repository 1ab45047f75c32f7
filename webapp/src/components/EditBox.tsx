// Editing a post in place: Enter saves, Shift+Enter adds a line, Esc cancels.

import { useState } from 'react';

import { Client4 } from '../api/client';
import type { Post } from '../api/types';
import { postsActions } from '../store/entities';
import { useAppDispatch } from '../store/index';
import { viewsActions } from '../store/views';

export function EditBox({ post }: { post: Post }) {
  const [text, setText] = useState(post.message);
  const [error, setError] = useState('');
  const dispatch = useAppDispatch();
  const done = () => dispatch(viewsActions.editPost(''));

  const save = async () => {
    if (text.trim() === post.message.trim()) return done();
    try {
      dispatch(postsActions.receivedPost(await Client4.patchPost(post.id, text)));
      done();
    } catch (e) {
      setError(e instanceof Error ? e.message : 'Could not save.');
    }
  };

  return (
    <div className="edit-box">
      <textarea
        aria-label="Edit message"
        value={text}
        autoFocus
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault();
            void save();
          } else if (e.key === 'Escape') {
            e.preventDefault();
            done();
          }
        }}
      />
      <div className="edit-box__bar">
        <span className="muted">Enter to save, Esc to cancel</span>
        <button className="btn btn--small" onClick={done}>
          Cancel
        </button>
        <button className="btn btn--small btn--primary" onClick={() => void save()}>
          Save
        </button>
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
