-- History that several servers can share (PostgreSQL as well as SQLite),
-- with the same statements on both:
-- - `seq` and `ts` as BIGINT: milliseconds since the epoch outgrow
--   PostgreSQL's 32-bit INTEGER (SQLite's INTEGER was 64-bit already);
-- - `rooms` holds each room's last `seq`. A writer locks its rooms' rows
--   first (an upsert), so concurrent writers on several servers number a
--   room's messages one after another, never twice.
CREATE TABLE history (
    room TEXT NOT NULL,
    seq BIGINT NOT NULL,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    text TEXT NOT NULL,
    ts BIGINT NOT NULL,
    PRIMARY KEY (room, seq),
    UNIQUE (room, id)
);
INSERT INTO history (room, seq, id, name, text, ts)
    SELECT room, seq, id, name, text, ts FROM messages;
DROP TABLE messages;
ALTER TABLE history RENAME TO messages;

CREATE TABLE rooms (
    room TEXT PRIMARY KEY,
    last_seq BIGINT NOT NULL
);
INSERT INTO rooms (room, last_seq)
    SELECT room, MAX(seq) FROM messages GROUP BY room;
