-- Each host's container list as last seen, shown at the next start while the engine is asked
-- again.
CREATE TABLE container_lists (
    host TEXT PRIMARY KEY NOT NULL,
    -- The list as JSON: the core's Container models.
    containers TEXT NOT NULL,
    saved_ms INTEGER NOT NULL
);
