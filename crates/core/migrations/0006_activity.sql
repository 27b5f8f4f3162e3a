-- What the user did through Berth and how it ended (see activity.rs). Bounded by Store::compact.
CREATE TABLE activity (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    time_ms INTEGER NOT NULL,
    host TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    -- NULL when it succeeded.
    error_code TEXT,
    error TEXT,
    duration_ms INTEGER NOT NULL
);
