// "alice is typing…" under a composer.

import { useAppSelector } from '../store/index';

export function TypingLine({ typingKey }: { typingKey: string }) {
  const typing = useAppSelector((s) => s.views.typing[typingKey]);
  const profiles = useAppSelector((s) => s.entities.users.profiles);
  const names = Object.keys(typing ?? {}).map((id) => profiles[id]?.username ?? 'Someone');
  let text = '';
  if (names.length === 1) text = `${names[0]} is typing…`;
  else if (names.length > 1) text = `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]} are typing…`;
  return (
    <div className="typing" aria-live="polite">
      {text}
    </div>
  );
}
