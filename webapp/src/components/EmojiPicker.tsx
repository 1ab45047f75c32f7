// A small emoji picker: common reactions, and search by shortcode name.

import { useState } from 'react';

import { COMMON_EMOJI, emojiGlyph, searchEmoji } from '../markdown/emoji';

export function EmojiPicker({ onPick, onClose }: { onPick: (name: string) => void; onClose: () => void }) {
  const [term, setTerm] = useState('');
  const names = term ? searchEmoji(term.replace(/:/g, ''), 48) : COMMON_EMOJI;
  return (
    <div
      className="emoji-picker"
      role="dialog"
      aria-label="Emoji picker"
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onClose();
        }
      }}
    >
      <input autoFocus aria-label="Search emoji" placeholder="Search emoji" value={term} onChange={(e) => setTerm(e.target.value)} />
      <div className="emoji-picker__grid">
        {names.map((n) => (
          <button key={n} className="emoji-picker__item" onClick={() => onPick(n)} aria-label={`:${n}:`} title={`:${n}:`}>
            {emojiGlyph(n)}
          </button>
        ))}
      </div>
    </div>
  );
}
