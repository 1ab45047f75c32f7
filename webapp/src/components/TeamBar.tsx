// The narrow bar of teams on the left: switch, with unread and mention marks; add a team.

import { Link } from 'react-router-dom';

import { useAppSelector } from '../store/index';

export function TeamBar({ currentTeamId }: { currentTeamId: string }) {
  const teams = useAppSelector((s) => s.entities.teams.teams);
  const members = useAppSelector((s) => s.entities.teams.myMembers);
  const mine = Object.values(teams)
    .filter((t) => members[t.id])
    .sort((a, b) => a.display_name.localeCompare(b.display_name));
  return (
    <nav className="teambar" aria-label="Teams">
      {mine.map((t) => {
        const m = members[t.id];
        const current = t.id === currentTeamId;
        const mentions = current ? 0 : m.mention_count;
        const label = `${t.display_name}${mentions ? `, ${mentions} mention${mentions > 1 ? 's' : ''}` : ''}`;
        return (
          <Link
            key={t.id}
            to={`/${t.name}/channels/town-square`}
            className={`teambar__team${current ? ' teambar__team--current' : ''}${!current && m.msg_count ? ' teambar__team--unread' : ''}`}
            aria-label={label}
            aria-current={current ? 'page' : undefined}
            title={t.display_name}
          >
            {t.display_name.slice(0, 2)}
            {mentions > 0 && <span className="badge teambar__badge">{mentions}</span>}
          </Link>
        );
      })}
      <Link to="/select_team" className="teambar__team teambar__add" aria-label="Create or join a team" title="Create or join a team">
        +
      </Link>
    </nav>
  );
}
