// A person's picture (`/users/{id}/image`); initials when the server has none.

import { useState } from 'react';

import { Client4 } from '../api/client';
import { useAppSelector } from '../store/index';

export function Avatar({ userId, size = 32, url }: { userId: string; size?: number; url?: string }) {
  const user = useAppSelector((s) => s.entities.users.profiles[userId]);
  const [failed, setFailed] = useState(false);
  const name = user?.username ?? '?';
  if (failed || !userId) {
    return (
      <span className="avatar avatar--initials" style={{ width: size, height: size, fontSize: size * 0.45 }} aria-hidden="true">
        {name.slice(0, 1).toUpperCase()}
      </span>
    );
  }
  return (
    <img
      className="avatar"
      src={url || Client4.profileImageUrl(userId, user?.update_at ?? 0)}
      width={size}
      height={size}
      alt=""
      loading="lazy"
      onError={() => setFailed(true)}
    />
  );
}
