// A post's reactions: one chip per emoji with its count; clicking toggles mine.

import { Client4 } from '../api/client';
import type { Post } from '../api/types';
import { emojiGlyph } from '../markdown/emoji';
import { useAppSelector } from '../store/index';

export function Reactions({ post }: { post: Post }) {
  const reactions = useAppSelector((s) => s.entities.posts.reactions[post.id]);
  const me = useAppSelector((s) => s.entities.users.currentUserId);
  const profiles = useAppSelector((s) => s.entities.users.profiles);
  if (!reactions) return null;
  const byEmoji = new Map<string, string[]>();
  for (const r of Object.values(reactions).sort((a, b) => a.create_at - b.create_at)) {
    byEmoji.set(r.emoji_name, [...(byEmoji.get(r.emoji_name) ?? []), r.user_id]);
  }
  if (byEmoji.size === 0) return null;
  return (
    <div className="reactions" role="group" aria-label="Reactions">
      {[...byEmoji].map(([emoji, users]) => {
        const mine = users.includes(me);
        const who = users.map((u) => (u === me ? 'you' : (profiles[u]?.username ?? 'someone'))).join(', ');
        return (
          <button
            key={emoji}
            className={`reaction${mine ? ' reaction--mine' : ''}`}
            aria-pressed={mine}
            aria-label={`${emoji} reaction by ${who}, ${users.length}`}
            title={`${who} reacted with :${emoji}:`}
            onClick={() => void (mine ? Client4.removeReaction(me, post.id, emoji) : Client4.addReaction(me, post.id, emoji))}
          >
            <span aria-hidden="true">{emojiGlyph(emoji) ?? `:${emoji}:`}</span> {users.length}
          </button>
        );
      })}
    </div>
  );
}
