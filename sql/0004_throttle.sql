-- restauth's throttle state: one row per (scope, client), holding the
-- times of the requests accepted within the scope's period, oldest first
-- (DRF keeps the same history in its cache). One atomic upsert per
-- request reads and extends it, so the limit holds exactly across every
-- process and host that shares the database.
CREATE TABLE IF NOT EXISTS restauth_throttle (
	scope text NOT NULL,
	ident text NOT NULL,
	hits timestamp with time zone[] NOT NULL,
	allowed boolean NOT NULL,
	expires timestamp with time zone NOT NULL,
	PRIMARY KEY (scope, ident)
);
CREATE INDEX IF NOT EXISTS restauth_throttle_expires
	ON restauth_throttle (expires);
