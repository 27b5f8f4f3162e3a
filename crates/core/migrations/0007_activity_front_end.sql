-- Which front end an action came through: the window or berthctl (see activity.rs).
ALTER TABLE activity ADD COLUMN front_end TEXT NOT NULL DEFAULT 'window';
