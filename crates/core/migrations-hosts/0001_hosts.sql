-- Remote hosts the user saved, as history.sqlite kept them up to its migration 0004 (moved here
-- by Store::carry_over_hosts). Secrets (key passphrases) are never here: they live in the OS
-- keyring, and only when the user asked to save them.
CREATE TABLE hosts (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    port INTEGER NOT NULL,
    user TEXT NOT NULL,
    -- A private key file; NULL means the ssh-agent.
    key_path TEXT,
    socket TEXT NOT NULL,
    -- A JSON array of strings.
    tags TEXT NOT NULL,
    -- A host to hop through, `[user@]host[:port]` (OpenSSH's ProxyJump).
    proxy_jump TEXT,
    -- An engine reached without SSH: a unix:// or tcp:// address (NULL for SSH hosts).
    docker_host TEXT,
    created_ms INTEGER NOT NULL,
    last_seen_ms INTEGER
);
