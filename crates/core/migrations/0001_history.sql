-- Stats history: one row per container and second for the last hour, one per minute
-- (averages, peak memory) for the last day. Store::compact moves rows from one to the other.
CREATE TABLE stats_1s (
    host TEXT NOT NULL,
    container TEXT NOT NULL,
    time_ms INTEGER NOT NULL,
    cpu_percent REAL NOT NULL,
    memory_bytes INTEGER NOT NULL,
    memory_limit_bytes INTEGER NOT NULL,
    net_rx_per_sec REAL NOT NULL,
    net_tx_per_sec REAL NOT NULL,
    block_read_per_sec REAL NOT NULL,
    block_write_per_sec REAL NOT NULL,
    pids INTEGER NOT NULL,
    PRIMARY KEY (host, container, time_ms)
) WITHOUT ROWID;

CREATE TABLE stats_1m (
    host TEXT NOT NULL,
    container TEXT NOT NULL,
    time_ms INTEGER NOT NULL,
    cpu_percent REAL NOT NULL,
    memory_bytes INTEGER NOT NULL,
    memory_limit_bytes INTEGER NOT NULL,
    net_rx_per_sec REAL NOT NULL,
    net_tx_per_sec REAL NOT NULL,
    block_read_per_sec REAL NOT NULL,
    block_write_per_sec REAL NOT NULL,
    pids INTEGER NOT NULL,
    PRIMARY KEY (host, container, time_ms)
) WITHOUT ROWID;

-- The engine events timeline, newest kept (see Store::compact).
CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    host TEXT NOT NULL,
    time_ms INTEGER NOT NULL,
    kind TEXT NOT NULL,
    action TEXT NOT NULL,
    object_id TEXT NOT NULL,
    name TEXT NOT NULL
);
CREATE INDEX events_by_host ON events (host, seq);
