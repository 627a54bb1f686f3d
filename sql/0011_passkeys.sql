-- Passkeys (WebAuthn): the credentials and the pending ceremonies.
--
-- dj-rest-auth's passkeys app (label passkeys), in the shape Django 3.2
-- gives it from the app's 0001_initial (sqlmigrate): column types,
-- NULLs, the CHECK of the PositiveIntegerField, the UNIQUE of
-- credential_id and Django's constraint and index names. One row per
-- credential: credential_id the raw credential id, public_key the
-- COSE_Key bytes as the authenticator gave them, transports a JSON list
-- of strings. Django keeps no defaults in the database: every INSERT
-- gives sign_count (0), transports ('[]'), discoverable (true) and
-- created_at (now()).
-- One difference on purpose, as for the MFA table: the user foreign key
-- deletes the rows with their user (ON DELETE CASCADE). Django's ORM
-- deletes them itself; with the cascade, deleting a user in SQL, or
-- from a Django project that does not have the passkeys app, works too.
-- When a Django project made the table first, its table stays as it is.
CREATE TABLE IF NOT EXISTS passkeys_webauthncredential (
	id bigserial NOT NULL PRIMARY KEY,
	name varchar(255) NOT NULL,
	credential_id bytea NOT NULL UNIQUE,
	public_key bytea NOT NULL,
	sign_count integer NOT NULL CHECK (sign_count >= 0),
	transports jsonb NOT NULL,
	discoverable boolean NOT NULL,
	created_at timestamp with time zone NOT NULL,
	last_used_at timestamp with time zone NULL,
	user_id integer NOT NULL,
	CONSTRAINT passkeys_webauthncredential_user_id_4a0e0f60_fk_auth_user_id
		FOREIGN KEY (user_id) REFERENCES auth_user (id)
		ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX IF NOT EXISTS passkeys_webauthncredential_user_id_4a0e0f60
	ON passkeys_webauthncredential (user_id);

-- Record the app's migration under 0009's rule: only when the app has
-- none recorded and its table exists. After Django's migrate of the app
-- it has its own record, and nothing is added.
INSERT INTO django_migrations (app, name, applied)
SELECT 'passkeys', '0001_initial', now()
WHERE NOT EXISTS (SELECT 1 FROM django_migrations
	WHERE app = 'passkeys')
  AND to_regclass('passkeys_webauthncredential') IS NOT NULL;

-- restauth's own: the pending ceremonies, one row each, seen by every
-- process (dj-rest-auth keeps them in Django's cache, which is per
-- process by default). ceremony: the SHA-256 of the login's session_id,
-- or of the user's registration key; kind: which ceremony; user_id: the
-- registering user (NULL for a login); challenge: the 64 random bytes
-- sent in the options; expires_at: now + PASSKEY_CHALLENGE_TIMEOUT.
--
-- begin/ stores (a new registration replaces the user's pending one,
-- as upstream's cache key does):
--   INSERT INTO restauth_passkey_challenge AS c (ceremony, kind,
--       user_id, challenge, expires_at)
--   VALUES ($1::bytea, $2, $3::bigint, $4::bytea,
--       now() + $5::integer * interval '1 second')
--   ON CONFLICT (ceremony) DO UPDATE SET kind = EXCLUDED.kind,
--       user_id = EXCLUDED.user_id, challenge = EXCLUDED.challenge,
--       expires_at = EXCLUDED.expires_at
-- complete/ takes it, atomically: of two requests with one ceremony
-- exactly one gets the row, whether its verification then succeeds or
-- not (a failed try burns the challenge, as upstream); an expired row
-- is not taken (flushexpiredtokens deletes it):
--   DELETE FROM restauth_passkey_challenge
--   WHERE ceremony = $1::bytea AND kind = $2 AND expires_at > now()
--   RETURNING challenge, user_id
-- No row: the challenge is unknown, used or expired.
CREATE TABLE IF NOT EXISTS restauth_passkey_challenge (
	ceremony bytea NOT NULL PRIMARY KEY
		CHECK (octet_length(ceremony) = 32),
	kind text NOT NULL CHECK (kind IN ('register', 'login')),
	user_id bigint NULL,
	challenge bytea NOT NULL CHECK (octet_length(challenge) = 64),
	expires_at timestamp with time zone NOT NULL,
	CONSTRAINT restauth_passkey_challenge_user_check
		CHECK ((kind = 'register') = (user_id IS NOT NULL))
);
CREATE INDEX IF NOT EXISTS restauth_passkey_challenge_expires_at
	ON restauth_passkey_challenge (expires_at);
