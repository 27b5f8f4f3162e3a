-- A host to hop through on the way to a saved host, `[user@]host[:port]` (OpenSSH's ProxyJump).
ALTER TABLE hosts ADD COLUMN proxy_jump TEXT;
