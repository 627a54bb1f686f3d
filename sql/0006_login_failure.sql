-- restauth's per-account failed-login backoff (lib/policy.c): one row per
-- login identifier, keyed by its HMAC-SHA256 under a key derived from
-- SECRET_KEY (hex), never the identifier itself: people type passwords
-- into the username box. failures counts the attempts that passed the
-- check and did not end in a successful login (which deletes the row);
-- last_failure is when the last of them passed; allowed is the answer to
-- the latest attempt. One atomic upsert per attempt reads and counts.
CREATE TABLE IF NOT EXISTS restauth_login_failure (
	ident text NOT NULL PRIMARY KEY,
	failures integer NOT NULL,
	last_failure timestamp with time zone NOT NULL,
	allowed boolean NOT NULL
);
CREATE INDEX IF NOT EXISTS restauth_login_failure_last_failure
	ON restauth_login_failure (last_failure);
