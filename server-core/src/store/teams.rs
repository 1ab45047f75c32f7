//! Teams and team members.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Result, Store, bit, flag};
use crate::domain::{Paging, Team, TeamMember};

fn team(row: &AnyRow) -> Result<Team, sqlx::Error> {
    Ok(Team {
        id: row.try_get("id")?,
        create_at: row.try_get("create_at")?,
        update_at: row.try_get("update_at")?,
        delete_at: row.try_get("delete_at")?,
        display_name: row.try_get("display_name")?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        email: row.try_get("email")?,
        kind: row.try_get("type")?,
        invite_id: row.try_get("invite_id")?,
        allow_open_invite: flag(row, "allow_open_invite")?,
        ..Team::default()
    })
}

pub(super) fn member(row: &AnyRow) -> Result<TeamMember, sqlx::Error> {
    let mut m = TeamMember::new(&row.try_get::<String, _>("team_id")?, &row.try_get::<String, _>("user_id")?, &row.try_get::<String, _>("roles")?);
    m.delete_at = row.try_get("delete_at")?;
    Ok(m)
}

impl Store {
    /// Insert a team and its creator's membership together; `Conflict` when the name is taken.
    pub async fn insert_team(&self, t: &Team, creator: &TeamMember) -> Result<()> {
        let mut tx = self.writer().begin().await?;
        sqlx::query(
            "INSERT INTO teams (id, create_at, update_at, delete_at, name, display_name, description, email, type, allow_open_invite, invite_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(&t.id)
        .bind(t.create_at)
        .bind(t.update_at)
        .bind(t.delete_at)
        .bind(&t.name)
        .bind(&t.display_name)
        .bind(&t.description)
        .bind(&t.email)
        .bind(&t.kind)
        .bind(bit(t.allow_open_invite))
        .bind(&t.invite_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO team_members (team_id, user_id, roles, delete_at) VALUES ($1, $2, $3, 0)")
            .bind(&creator.team_id)
            .bind(&creator.user_id)
            .bind(&creator.roles)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A team by id.
    pub async fn get_team(&self, id: &str) -> Result<Team> {
        let row = sqlx::query("SELECT * FROM teams WHERE id = $1").bind(id).fetch_one(&self.pool).await?;
        Ok(team(&row)?)
    }

    /// A team by name.
    pub async fn get_team_by_name(&self, name: &str) -> Result<Team> {
        let row = sqlx::query("SELECT * FROM teams WHERE name = $1").bind(name).fetch_one(&self.pool).await?;
        Ok(team(&row)?)
    }

    /// Teams by name: all of them, or only the open ones plus those `user_id` belongs to.
    pub async fn list_teams(&self, paging: Paging, visible_to: Option<&str>) -> Result<Vec<Team>> {
        let rows = match visible_to {
            None => sqlx::query("SELECT * FROM teams WHERE delete_at = 0 ORDER BY name LIMIT $1 OFFSET $2").bind(paging.limit()).bind(paging.offset()).fetch_all(&self.pool).await?,
            Some(user_id) => {
                sqlx::query(
                    "SELECT * FROM teams WHERE delete_at = 0 AND (allow_open_invite = 1 OR id IN (SELECT team_id FROM team_members WHERE user_id = $3 AND delete_at = 0)) \
                     ORDER BY name LIMIT $1 OFFSET $2",
                )
                .bind(paging.limit())
                .bind(paging.offset())
                .bind(user_id)
                .fetch_all(&self.pool)
                .await?
            }
        };
        Ok(rows.iter().map(team).collect::<Result<_, _>>()?)
    }

    /// The teams a user belongs to.
    pub async fn teams_for_user(&self, user_id: &str) -> Result<Vec<Team>> {
        let rows = sqlx::query(
            "SELECT t.* FROM teams t JOIN team_members m ON m.team_id = t.id WHERE m.user_id = $1 AND m.delete_at = 0 AND t.delete_at = 0 ORDER BY t.name",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(team).collect::<Result<_, _>>()?)
    }

    /// Add (or re-add) a member. Returns `false` when already an active member.
    pub async fn upsert_team_member(&self, m: &TeamMember) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO team_members (team_id, user_id, roles, delete_at) VALUES ($1, $2, $3, 0) \
             ON CONFLICT (team_id, user_id) DO UPDATE SET delete_at = 0, roles = excluded.roles WHERE team_members.delete_at <> 0",
        )
        .bind(&m.team_id)
        .bind(&m.user_id)
        .bind(&m.roles)
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// An active membership.
    pub async fn get_team_member(&self, team_id: &str, user_id: &str) -> Result<TeamMember> {
        let row = sqlx::query("SELECT * FROM team_members WHERE team_id = $1 AND user_id = $2 AND delete_at = 0")
            .bind(team_id)
            .bind(user_id)
            .fetch_one(&self.pool)
            .await?;
        Ok(member(&row)?)
    }

    /// Mark a membership left (Mattermost keeps the row with `delete_at`), and leave
    /// the team's channels too. Returns `false` when there was no active membership.
    pub async fn remove_team_member(&self, team_id: &str, user_id: &str, now: i64) -> Result<bool> {
        let mut tx = self.writer().begin().await?;
        let done = sqlx::query("UPDATE team_members SET delete_at = $3 WHERE team_id = $1 AND user_id = $2 AND delete_at = 0")
            .bind(team_id)
            .bind(user_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM channel_members WHERE user_id = $2 AND channel_id IN (SELECT id FROM channels WHERE team_id = $1)")
            .bind(team_id)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }

    /// Active members, by user id.
    pub async fn list_team_members(&self, team_id: &str, paging: Paging) -> Result<Vec<TeamMember>> {
        let rows = sqlx::query("SELECT * FROM team_members WHERE team_id = $1 AND delete_at = 0 ORDER BY user_id LIMIT $2 OFFSET $3")
            .bind(team_id)
            .bind(paging.limit())
            .bind(paging.offset())
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(member).collect::<Result<_, _>>()?)
    }

    /// Every active member's user id (event fan-out).
    pub async fn team_member_ids(&self, team_id: &str) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar("SELECT user_id FROM team_members WHERE team_id = $1 AND delete_at = 0").bind(team_id).fetch_all(&self.pool).await?)
    }
}
