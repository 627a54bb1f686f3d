-- restauth's mail outbox: a request never runs sendmail, it adds its mails
-- here, in the transaction of the change they belong to, and NOTIFYs
-- restauth_mail. `restauth mail-worker` claims due rows (FOR UPDATE SKIP
-- LOCKED), sends each and deletes it; a failure counts an attempt, keeps
-- the error and waits (30 s doubling, at most 1 h). A row holds a live
-- reset or confirmation link until it is sent.
CREATE TABLE IF NOT EXISTS restauth_mail_outbox (
	id bigserial PRIMARY KEY,
	created timestamp with time zone NOT NULL DEFAULT now(),
	sender text NOT NULL,
	recipient text NOT NULL,
	subject text NOT NULL,
	body text NOT NULL,
	attempts integer NOT NULL DEFAULT 0,
	next_attempt timestamp with time zone NOT NULL DEFAULT now(),
	last_error text
);
CREATE INDEX IF NOT EXISTS restauth_mail_outbox_due
	ON restauth_mail_outbox (next_attempt);

-- PASSWORD_RESET_COOLDOWN: when a reset mail last went to an address,
-- keyed by an HMAC of the normalised address (never the address itself),
-- for every address asked for, registered or not.
CREATE TABLE IF NOT EXISTS restauth_reset_cooldown (
	addr_hash text PRIMARY KEY,
	sent timestamp with time zone NOT NULL
);
CREATE INDEX IF NOT EXISTS restauth_reset_cooldown_sent
	ON restauth_reset_cooldown (sent);
