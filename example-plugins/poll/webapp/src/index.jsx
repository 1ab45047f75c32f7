// The poll plugin's webapp half: draws `custom_poll` posts as result bars with a vote
// button per answer, and moves the bars when the server half's `votes` event arrives
// (`custom_com.confab.poll_votes`), without waiting for the post to be edited.
//
// A vote goes through the post's own action button (`POST /api/v4/posts/{id}/actions/vote<n>`),
// so the server checks that the voter may read the post and hands the click to the
// server half with the voter's id; this bundle never learns the integration URL.

import React, { useState, useSyncExternalStore } from 'react';

import manifest from '../../plugin.json';

const VOTES_EVENT = `custom_${manifest.id}_votes`;

/** Tallies from `votes` events by post id, newer than the post the page holds. */
class Tallies {
  constructor() {
    this.byPost = new Map();
    this.listeners = new Set();
  }

  set(tally) {
    if (!tally || typeof tally.post_id !== 'string' || !Array.isArray(tally.counts)) return;
    this.byPost.set(tally.post_id, tally);
    this.listeners.forEach((l) => l());
  }

  get(postId) {
    return this.byPost.get(postId);
  }

  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  clear() {
    this.byPost.clear();
    this.listeners.forEach((l) => l());
  }
}

const tallies = new Tallies();

function useLiveTally(postId) {
  return useSyncExternalStore(
    (l) => tallies.subscribe(l),
    () => tallies.get(postId),
  );
}

async function vote(postId, answer) {
  // Cookie session, with the header Mattermost's CSRF rule accepts from scripts.
  const response = await fetch(`/api/v4/posts/${encodeURIComponent(postId)}/actions/vote${answer}`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'XMLHttpRequest' },
    body: '{}',
  });
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw new Error(body.message || `The vote failed (${response.status}).`);
  }
}

function PollPost({ post, theme }) {
  const live = useLiveTally(post.id);
  const stored = post.props && post.props.poll;
  const [busy, setBusy] = useState(-1);
  const [error, setError] = useState('');
  if (!stored || !Array.isArray(stored.answers)) return <p className="confab-poll__broken">This poll cannot be shown.</p>;
  const counts = live && live.counts.length === stored.answers.length ? live.counts : stored.counts;
  const total = counts.reduce((a, b) => a + b, 0);
  const accent = (theme && theme.buttonBg) || '#1c58d9';

  const onVote = async (i) => {
    setBusy(i);
    setError('');
    try {
      await vote(post.id, i);
    } catch (e) {
      setError(e.message);
    } finally {
      setBusy(-1);
    }
  };

  return (
    <div className="confab-poll" data-poll-post={post.id} style={{ border: '1px solid rgba(127,127,127,.35)', borderRadius: 6, padding: 10, maxWidth: 480 }}>
      <strong className="confab-poll__question">{stored.question}</strong>
      <ul style={{ listStyle: 'none', margin: '8px 0', padding: 0 }}>
        {stored.answers.map((answer, i) => {
          const count = counts[i] || 0;
          const percent = total ? Math.round((count * 100) / total) : 0;
          return (
            <li key={i} className="confab-poll__answer" data-answer={i} data-count={count} style={{ margin: '6px 0' }}>
              <div style={{ display: 'flex', justifyContent: 'space-between', gap: 8 }}>
                <button type="button" className="btn btn--small" disabled={busy !== -1} onClick={() => onVote(i)} aria-label={`Vote for ${answer}`}>
                  {answer}
                </button>
                <span className="confab-poll__count">
                  {count} ({percent}%)
                </span>
              </div>
              <div
                className="confab-poll__bar"
                role="meter"
                aria-label={`${answer}: ${count} of ${total}`}
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={percent}
                style={{ height: 6, marginTop: 3, borderRadius: 3, background: 'rgba(127,127,127,.2)' }}
              >
                <div style={{ width: `${percent}%`, height: '100%', borderRadius: 3, background: accent }} />
              </div>
            </li>
          );
        })}
      </ul>
      <small className="confab-poll__total">
        {total} vote{total === 1 ? '' : 's'}
      </small>
      {error && (
        <p role="alert" className="confab-poll__error">
          {error}
        </p>
      )}
    </div>
  );
}

class PollPlugin {
  initialize(registry) {
    registry.registerPostTypeComponent('custom_poll', PollPost);
    registry.registerWebSocketEventHandler(VOTES_EVENT, (msg) => tallies.set(msg.data));
    // Events missed while the socket was away: the posts the client reloads carry the tally.
    registry.registerReconnectHandler(() => tallies.clear());
  }

  uninitialize() {
    tallies.clear();
  }
}

window.registerPlugin(manifest.id, new PollPlugin());
