// A small emoji picker: common reactions, and search by shortcode name. It floats over
// the page (a portal, fixed beside the button that opened it), so the windowed post
// list's rows cannot cover it; a click outside or Esc closes it.

import { useEffect, useRef, useState } from 'react';
import { createPortal } from 'react-dom';

import { COMMON_EMOJI, emojiGlyph, searchEmoji } from '../markdown/emoji';

const WIDTH = 280;
const HEIGHT = 240;

function placement(anchor: HTMLElement | null): { top: number; left: number } {
  if (!anchor) return { top: 80, left: 80 };
  const r = anchor.getBoundingClientRect();
  const below = r.bottom + 4 + HEIGHT < window.innerHeight;
  return {
    top: below ? r.bottom + 4 : Math.max(4, r.top - HEIGHT - 4),
    left: Math.max(4, Math.min(r.right - WIDTH, window.innerWidth - WIDTH - 4)),
  };
}

export function EmojiPicker({ onPick, onClose, anchor }: { onPick: (name: string) => void; onClose: () => void; anchor: HTMLElement | null }) {
  const [term, setTerm] = useState('');
  const ref = useRef<HTMLDivElement>(null);
  const [position] = useState(() => placement(anchor));
  const names = term ? searchEmoji(term.replace(/:/g, ''), 48) : COMMON_EMOJI;

  useEffect(() => {
    const onDown = (e: MouseEvent) => {
      const target = e.target as Node;
      if (!ref.current?.contains(target) && !anchor?.contains(target)) onClose();
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [anchor, onClose]);

  return createPortal(
    <div
      ref={ref}
      className="emoji-picker"
      style={{ position: 'fixed', top: position.top, left: position.left, width: WIDTH }}
      role="dialog"
      aria-label="Emoji picker"
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onClose();
          anchor?.focus();
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
    </div>,
    document.body,
  );
}
