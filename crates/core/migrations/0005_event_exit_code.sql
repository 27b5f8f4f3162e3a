-- How a container ended, from its "die" event (NULL for every other event).
ALTER TABLE events ADD COLUMN exit_code INTEGER;
