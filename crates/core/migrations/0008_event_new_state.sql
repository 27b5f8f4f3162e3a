-- The state a swarm service's update or a swarm node went to, from its "update" event
-- (NULL for every other event).
ALTER TABLE events ADD COLUMN new_state TEXT;
