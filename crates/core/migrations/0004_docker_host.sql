-- Saved hosts reached without SSH: a unix:// or tcp:// engine address (NULL for SSH hosts).
ALTER TABLE hosts ADD COLUMN docker_host TEXT;
