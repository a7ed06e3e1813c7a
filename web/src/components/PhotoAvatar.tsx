import type { ReactNode } from 'react';
import { useAvatarUrl } from '../api/files.js';
import { Avatar } from './Avatar.js';

/**
 * A person's avatar with their profile photo when they have one (`avatarId`, fetched with the
 * token as a blob: URL), initials on their colour until it has loaded or when they have none.
 */
export function PhotoAvatar({
  id,
  name,
  avatarId,
  children,
}: {
  id: string;
  name: string;
  avatarId?: string | undefined;
  children?: ReactNode;
}) {
  const photo = useAvatarUrl({ id, avatarId });
  return (
    <Avatar id={id} name={name} photoUrl={photo.url}>
      {children}
    </Avatar>
  );
}
