-- Chat history: one row per stored message.
-- `seq` is the per-room sequence (1, 2, 3, … in each room); `id` is the
-- client-made id, unique per room so a re-sent message is stored only once.
CREATE TABLE messages (
    room TEXT NOT NULL,
    seq INTEGER NOT NULL,
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    text TEXT NOT NULL,
    ts INTEGER NOT NULL,
    PRIMARY KEY (room, seq),
    UNIQUE (room, id)
);
