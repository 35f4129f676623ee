-- A file's birth time (statx btime, in nanoseconds) completes its identity.
-- ext4 and others hand a deleted file's inode to the next file created, often
-- at once, so dev+inode alone can make a checkpoint follow the wrong file; the
-- birth time of the new file differs. 0 where the file system does not report
-- it (then only the fingerprint of the first bytes guards against reuse).
ALTER TABLE log_sources ADD COLUMN birth_time_ns numeric NOT NULL DEFAULT 0;
