-- The author of a channel's last post has seen the channel up to it. Rather than write
-- their membership on every post (one more row locked and written while the channel's
-- row lock is held: 1.12x of B3's PostgreSQL throughput), the channel row, which every
-- post updates anyway, names them (`poster_id`, '' for none) with that post's time
-- (`poster_at`); readers derive the membership's counts from it, and the next post by
-- someone else writes them down (store/unreads.rs). `prev_poster_*` hand the previous
-- poster from the channel's update to the post's membership update in one statement:
-- PostgreSQL's RETURNING shows only the new row.
ALTER TABLE channels ADD COLUMN poster_id TEXT NOT NULL DEFAULT '';
ALTER TABLE channels ADD COLUMN poster_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE channels ADD COLUMN prev_poster_id TEXT NOT NULL DEFAULT '';
ALTER TABLE channels ADD COLUMN prev_poster_at BIGINT NOT NULL DEFAULT 0;
