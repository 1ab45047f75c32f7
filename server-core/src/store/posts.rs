//! Posts (threads by `root_id`, soft delete, edits) and reactions.

use serde_json::{Map, Value};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::unreads::{PostUnreads, UnreadParams, members_update};
use super::{Backend, Result, Store, bit, flag};
use crate::domain::{Paging, Post, PostList, Reaction};

pub(super) const POST_COLUMNS: &str = "p.*, (SELECT COUNT(*) FROM posts r WHERE r.root_id = p.id AND r.delete_at = 0) AS reply_count";

/// Posts returned by `since` at most (Mattermost's cap).
pub const SINCE_LIMIT: i64 = 1000;

pub(super) fn post(row: &AnyRow) -> Result<Post, sqlx::Error> {
    let props: String = row.try_get("props")?;
    let priority: String = row.try_get("priority")?;
    let mut metadata = Map::new();
    if let Ok(priority @ Value::Object(_)) = serde_json::from_str::<Value>(&priority) {
        metadata.insert("priority".into(), priority);
    }
    Ok(Post {
        id: row.try_get("id")?,
        create_at: row.try_get("create_at")?,
        update_at: row.try_get("update_at")?,
        edit_at: row.try_get("edit_at")?,
        delete_at: row.try_get("delete_at")?,
        is_pinned: flag(row, "is_pinned")?,
        user_id: row.try_get("user_id")?,
        channel_id: row.try_get("channel_id")?,
        root_id: row.try_get("root_id")?,
        original_id: row.try_get("original_id")?,
        message: row.try_get("message")?,
        kind: row.try_get("type")?,
        // Written by us from a JSON object; anything else would be a corrupted row,
        // shown as empty props rather than failing the whole list.
        props: serde_json::from_str::<Map<String, Value>>(&props).unwrap_or_default(),
        hashtags: row.try_get("hashtags")?,
        has_reactions: flag(row, "has_reactions")?,
        reply_count: row.try_get("reply_count")?,
        metadata,
        ..Post::default()
    })
}

fn reaction(row: &AnyRow) -> Result<Reaction, sqlx::Error> {
    Ok(Reaction {
        user_id: row.try_get("user_id")?,
        post_id: row.try_get("post_id")?,
        emoji_name: row.try_get("emoji_name")?,
        create_at: row.try_get("create_at")?,
    })
}

/// Which posts of a channel to read (Mattermost's `GET /channels/{id}/posts` modes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostQuery {
    /// Newest first, one page.
    Page(Paging),
    /// Posts created, edited or deleted after this time (ms), newest first, deleted included.
    Since(i64),
    /// The page of posts older than this one.
    Before(String, Paging),
    /// The page of posts newer than this one.
    After(String, Paging),
}

// The channel row first. The post's foreign key takes a key-share lock on it; taken
// before the update, concurrent posts to one channel each add a locker to that row, and
// PostgreSQL records them as a MultiXact that every later lock on the row must read: a
// fifth of PostgreSQL's CPU under bench B3. Updating first makes posts to a channel queue
// on its row lock, which they did anyway. `last_post_at` only moves forward: concurrent
// posts may commit out of order (Mattermost's GREATEST, spelled so SQLite runs it too).
// One column list and one update for both backends' statements, put together at compile
// time; the update's assignments go on with `PostUnreads::poster_assignments` and its
// WHERE is `WHERE id = $7`. $2 and $7 are the post's create_at and channel_id (the
// order of the columns).
macro_rules! bump_channel {
    () => {
        "UPDATE channels SET last_post_at = CASE WHEN last_post_at > $2 THEN last_post_at ELSE $2 END, total_msg_count = total_msg_count + 1"
    };
}
macro_rules! post_columns {
    () => {
        "id, create_at, update_at, edit_at, delete_at, user_id, channel_id, root_id, original_id, message, type, props, hashtags, is_pinned, \
         has_reactions, priority"
    };
}
macro_rules! post_values {
    () => {
        "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16"
    };
}

/// A post with its serialized columns, ready to bind.
struct PostRow<'a> {
    post: &'a Post,
    props: &'a str,
    priority: &'a str,
}

/// The mentioned members' ids from the rows a post's statement returned (NULL for
/// rows that are not a mention), never the author's.
fn mentioned(rows: &[AnyRow], author: &str) -> Result<Vec<String>> {
    let ids = rows.iter().map(|row| row.try_get::<Option<String>, _>("user_id")).collect::<Result<Vec<_>, _>>()?;
    Ok(ids.into_iter().flatten().filter(|id| id != author).collect())
}

impl PostRow<'_> {
    /// `query` with the post's sixteen columns bound as $1..$16.
    fn bind<'q>(&'q self, query: &'q str) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        bind_post(sqlx::query(query), self.post, self.props, self.priority)
    }
}

impl Store {
    /// Insert a post and bump the channel's counters, together; the post is not
    /// marked viewed for its author and mentions nobody.
    pub async fn insert_post(&self, p: &Post) -> Result<()> {
        self.insert_post_counted(p, &PostUnreads::default()).await.map(drop)
    }

    /// [`Store::insert_post`], and in the same commit what the post does to its
    /// channel's memberships (`unreads.rs`: the author becomes the channel's last
    /// poster, the previous one's view is written down, the mentioned members' mention
    /// counts go up): one more commit per post would cost a second WAL flush, about as
    /// much as the post itself on SQLite. Answers the ids of the mentioned members.
    pub async fn insert_post_counted(&self, p: &Post, unreads: &PostUnreads<'_>) -> Result<Vec<String>> {
        self.insert_post_with(p, Some(unreads)).await
    }

    /// A post with no unread bookkeeping at all, not even the last poster's: only the
    /// baseline of bench B3 (`--bench-without-unreads`) stores posts this way.
    pub async fn insert_post_without_unreads(&self, p: &Post) -> Result<()> {
        self.insert_post_with(p, None).await.map(drop)
    }

    async fn insert_post_with(&self, p: &Post, unreads: Option<&PostUnreads<'_>>) -> Result<Vec<String>> {
        let props = Value::Object(p.props.clone()).to_string();
        let priority = p.metadata.get("priority").map(Value::to_string).unwrap_or_default();
        let row = PostRow { post: p, props: &props, priority: &priority };
        match self.backend() {
            Backend::Postgres => self.insert_post_postgres(&row, unreads).await,
            Backend::Sqlite => self.insert_post_sqlite(&row, unreads).await,
        }
    }

    /// One statement, committed on its own: the channel's row lock is held only while
    /// PostgreSQL runs it, not across the round trips of a transaction, so posts to one
    /// busy channel queue on the database's time alone, not on this process getting
    /// scheduled between statements. The memberships' update reads the channel's new
    /// total and the previous last poster from the `bumped` row.
    async fn insert_post_postgres(&self, row: &PostRow<'_>, unreads: Option<&PostUnreads<'_>>) -> Result<Vec<String>> {
        const INSERT: &str = concat!("INSERT INTO posts (", post_columns!(), ") SELECT ", post_values!(), " FROM bumped");
        let Some(unreads) = unreads else {
            let sql = concat!(
                "WITH bumped AS (",
                bump_channel!(),
                " WHERE id = $7 RETURNING id) ",
                "INSERT INTO posts (",
                post_columns!(),
                ") SELECT ",
                post_values!(),
                " FROM bumped"
            );
            let done = row.bind(sql).execute(self.writer()).await?;
            return if done.rows_affected() == 0 { Err(super::Error::NotFound) } else { Ok(Vec::new()) };
        };
        let params = UnreadParams { channel: "$7", author: "$6", at: "$2", first_name: 17, channel_row: "bumped" };
        let sql = format!(
            "WITH bumped AS ({}{} WHERE id = $7 RETURNING total_msg_count, prev_poster_id, prev_poster_at), inserted AS ({INSERT} RETURNING id), \
             counted AS ({}) SELECT i.id AS post_id, c.user_id AS user_id FROM inserted i LEFT JOIN counted c ON 1 = 1",
            bump_channel!(),
            unreads.poster_assignments(),
            members_update(unreads, &params)
        );
        let mut query = row.bind(&sql);
        for name in unreads.bound_names() {
            query = query.bind(name);
        }
        let rows = query.fetch_all(self.writer()).await?;
        if rows.is_empty() {
            return Err(super::Error::NotFound);
        }
        mentioned(&rows, &row.post.user_id)
    }

    /// SQLite has no UPDATE inside WITH, so its statements go to SQLite's worker thread
    /// as one multi-statement query (sqlx runs them in order, `$n` naming the same
    /// value in each): a separate query per statement was a hand-off to that thread and
    /// back each, on the one writer every post waits for, and the memberships' update
    /// alone cost 0.72–0.88× of B3's throughput that way (BENCHMARKS.md). The post is
    /// inserted only where the channel exists: no rows back means no channel. Answers
    /// the mentioned members' ids, as the PostgreSQL statement does.
    async fn insert_post_sqlite(&self, row: &PostRow<'_>, unreads: Option<&PostUnreads<'_>>) -> Result<Vec<String>> {
        const INSERT: &str = concat!(
            "INSERT INTO posts (",
            post_columns!(),
            ") SELECT ",
            post_values!(),
            " WHERE EXISTS (SELECT 1 FROM channels WHERE id = $7) RETURNING NULL AS user_id"
        );
        let params = UnreadParams { channel: "$7", author: "$6", at: "$2", first_name: 17, channel_row: "channels WHERE id = $7" };
        let (assignments, update) = match unreads {
            Some(unreads) => (unreads.poster_assignments(), format!("; {}", members_update(unreads, &params))),
            None => ("", String::new()),
        };
        let sql = format!("{}{assignments} WHERE id = $7; {INSERT}{update}", bump_channel!());
        let mut query = row.bind(&sql);
        for name in unreads.map(PostUnreads::bound_names).unwrap_or_default() {
            query = query.bind(name);
        }
        let mut tx = self.writer().begin().await?;
        let rows = query.fetch_all(&mut *tx).await?;
        if rows.is_empty() {
            return Err(super::Error::NotFound);
        }
        tx.commit().await?;
        mentioned(&rows, &row.post.user_id)
    }

    /// A post by id (deleted ones too; the caller decides).
    pub async fn get_post(&self, id: &str) -> Result<Post> {
        let row = sqlx::query(&format!("SELECT {POST_COLUMNS} FROM posts p WHERE p.id = $1")).bind(id).fetch_one(&self.pool).await?;
        Ok(post(&row)?)
    }

    /// Write back message, props, type, pinned flag, `edit_at` and `update_at`.
    pub async fn update_post(&self, p: &Post) -> Result<()> {
        let props = Value::Object(p.props.clone()).to_string();
        let done =
            sqlx::query("UPDATE posts SET update_at = $2, edit_at = $3, message = $4, props = $5, type = $6, is_pinned = $7 WHERE id = $1 AND delete_at = 0")
                .bind(&p.id)
                .bind(p.update_at)
                .bind(p.edit_at)
                .bind(&p.message)
                .bind(&props)
                .bind(&p.kind)
                .bind(bit(p.is_pinned))
                .execute(self.writer())
                .await?;
        if done.rows_affected() == 0 { Err(super::Error::NotFound) } else { Ok(()) }
    }

    /// Soft-delete a post and, when it is a thread root, its replies.
    pub async fn delete_post(&self, id: &str, now: i64) -> Result<()> {
        sqlx::query("UPDATE posts SET delete_at = $2, update_at = $2 WHERE (id = $1 OR root_id = $1) AND delete_at = 0")
            .bind(id)
            .bind(now)
            .execute(self.writer())
            .await?;
        Ok(())
    }

    /// A thread: the root and every live reply, newest first.
    pub async fn get_thread(&self, root_id: &str) -> Result<Vec<Post>> {
        let rows = sqlx::query(&format!(
            "SELECT {POST_COLUMNS} FROM posts p WHERE (p.id = $1 OR p.root_id = $1) AND p.delete_at = 0 ORDER BY p.create_at DESC, p.id DESC"
        ))
        .bind(root_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(post).collect::<Result<_, _>>()?)
    }

    /// A channel's posts as Mattermost's `PostList`, with `prev_post_id` (the next
    /// older post) and `next_post_id` (the next newer one) for page navigation.
    pub async fn channel_posts(&self, channel_id: &str, query: &PostQuery) -> Result<PostList> {
        let newest_first = format!("SELECT {POST_COLUMNS} FROM posts p WHERE p.channel_id = $1 AND p.delete_at = 0");
        let rows = match query {
            PostQuery::Page(paging) => {
                sqlx::query(&format!("{newest_first} ORDER BY p.create_at DESC, p.id DESC LIMIT $2 OFFSET $3"))
                    .bind(channel_id)
                    .bind(paging.limit())
                    .bind(paging.offset())
                    .fetch_all(&self.pool)
                    .await?
            }
            PostQuery::Since(since) => {
                sqlx::query(&format!(
                    "SELECT {POST_COLUMNS} FROM posts p WHERE p.channel_id = $1 AND p.update_at > $2 ORDER BY p.create_at DESC, p.id DESC LIMIT $3"
                ))
                .bind(channel_id)
                .bind(*since)
                .bind(SINCE_LIMIT)
                .fetch_all(&self.pool)
                .await?
            }
            PostQuery::Before(anchor, paging) => {
                let anchor = self.get_post(anchor).await?;
                sqlx::query(&format!(
                    "{newest_first} AND (p.create_at < $2 OR (p.create_at = $2 AND p.id < $3)) ORDER BY p.create_at DESC, p.id DESC LIMIT $4 OFFSET $5"
                ))
                .bind(channel_id)
                .bind(anchor.create_at)
                .bind(&anchor.id)
                .bind(paging.limit())
                .bind(paging.offset())
                .fetch_all(&self.pool)
                .await?
            }
            PostQuery::After(anchor, paging) => {
                let anchor = self.get_post(anchor).await?;
                let mut rows = sqlx::query(&format!(
                    "{newest_first} AND (p.create_at > $2 OR (p.create_at = $2 AND p.id > $3)) ORDER BY p.create_at ASC, p.id ASC LIMIT $4 OFFSET $5"
                ))
                .bind(channel_id)
                .bind(anchor.create_at)
                .bind(&anchor.id)
                .bind(paging.limit())
                .bind(paging.offset())
                .fetch_all(&self.pool)
                .await?;
                rows.reverse();
                rows
            }
        };
        let posts: Vec<Post> = rows.iter().map(post).collect::<Result<_, _>>()?;
        let (newest, oldest) = (posts.first().map(|p| (p.create_at, p.id.clone())), posts.last().map(|p| (p.create_at, p.id.clone())));
        let mut list = PostList::from_posts(posts);
        if matches!(query, PostQuery::Since(_)) {
            return Ok(list);
        }
        if let Some((create_at, id)) = oldest {
            list.prev_post_id = sqlx::query_scalar("SELECT p.id FROM posts p WHERE p.channel_id = $1 AND p.delete_at = 0 AND (p.create_at < $2 OR (p.create_at = $2 AND p.id < $3)) ORDER BY p.create_at DESC, p.id DESC LIMIT 1")
                .bind(channel_id)
                .bind(create_at)
                .bind(&id)
                .fetch_optional(&self.pool)
                .await?
                .unwrap_or_default();
        }
        if let Some((create_at, id)) = newest {
            list.next_post_id = sqlx::query_scalar("SELECT p.id FROM posts p WHERE p.channel_id = $1 AND p.delete_at = 0 AND (p.create_at > $2 OR (p.create_at = $2 AND p.id > $3)) ORDER BY p.create_at ASC, p.id ASC LIMIT 1")
                .bind(channel_id)
                .bind(create_at)
                .bind(&id)
                .fetch_optional(&self.pool)
                .await?
                .unwrap_or_default();
            list.has_next = !list.next_post_id.is_empty();
        }
        Ok(list)
    }

    /// Save a reaction (saving it twice is not an error) and flag the post.
    pub async fn insert_reaction(&self, r: &Reaction) -> Result<()> {
        let mut tx = self.writer().begin().await?;
        sqlx::query(
            "INSERT INTO reactions (post_id, user_id, emoji_name, create_at) VALUES ($1, $2, $3, $4) ON CONFLICT (post_id, user_id, emoji_name) DO NOTHING",
        )
        .bind(&r.post_id)
        .bind(&r.user_id)
        .bind(&r.emoji_name)
        .bind(r.create_at)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE posts SET has_reactions = 1, update_at = $2 WHERE id = $1").bind(&r.post_id).bind(r.create_at).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Remove a reaction; `false` when there was none.
    pub async fn delete_reaction(&self, post_id: &str, user_id: &str, emoji_name: &str, now: i64) -> Result<bool> {
        let mut tx = self.writer().begin().await?;
        let done = sqlx::query("DELETE FROM reactions WHERE post_id = $1 AND user_id = $2 AND emoji_name = $3")
            .bind(post_id)
            .bind(user_id)
            .bind(emoji_name)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE posts SET has_reactions = (CASE WHEN EXISTS (SELECT 1 FROM reactions WHERE post_id = $1) THEN 1 ELSE 0 END), update_at = $2 WHERE id = $1",
        )
        .bind(post_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }

    /// A post's reactions, oldest first.
    pub async fn list_reactions(&self, post_id: &str) -> Result<Vec<Reaction>> {
        let rows =
            sqlx::query("SELECT * FROM reactions WHERE post_id = $1 ORDER BY create_at, user_id, emoji_name").bind(post_id).fetch_all(&self.pool).await?;
        Ok(rows.iter().map(reaction).collect::<Result<_, _>>()?)
    }
}

/// A post's sixteen column values, bound in column order ($1 to $16).
fn bind_post<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    p: &'q Post,
    props: &'q str,
    priority: &'q str,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    query
        .bind(&p.id)
        .bind(p.create_at)
        .bind(p.update_at)
        .bind(p.edit_at)
        .bind(p.delete_at)
        .bind(&p.user_id)
        .bind(&p.channel_id)
        .bind(&p.root_id)
        .bind(&p.original_id)
        .bind(&p.message)
        .bind(&p.kind)
        .bind(props)
        .bind(&p.hashtags)
        .bind(bit(p.is_pinned))
        .bind(bit(p.has_reactions))
        .bind(priority)
}
