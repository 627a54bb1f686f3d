-- Multi-factor login: TOTP and recovery codes.
--
-- dj-rest-auth's MFA app (label dj_rest_auth_mfa), in the shape Django
-- 3.2 gives it from the app's 0001_initial (sqlmigrate): column types,
-- NULLs, and Django's constraint and index names. One row per user and
-- type: 'totp' (data: signed secret, last accepted code and step) or
-- 'recovery_codes' (data: seed, bit mask of the used codes).
-- One difference on purpose: the user foreign key deletes the rows with
-- their user (ON DELETE CASCADE). Django's ORM deletes them itself; with
-- the cascade, deleting a user in SQL, or from a Django project that
-- does not have the MFA app, works too. When a Django project made the
-- table first, its table stays as it is.
CREATE TABLE IF NOT EXISTS dj_rest_auth_mfa_authenticator (
	id bigserial NOT NULL PRIMARY KEY,
	type varchar(20) NOT NULL,
	data jsonb NOT NULL,
	created_at timestamp with time zone NOT NULL,
	last_used_at timestamp with time zone NULL,
	user_id integer NOT NULL,
	CONSTRAINT dj_rest_auth_mfa_authenticator_user_id_type_62322d58_uniq
		UNIQUE (user_id, type),
	CONSTRAINT dj_rest_auth_mfa_authenticator_user_id_e953f0ca_fk_auth_user_id
		FOREIGN KEY (user_id) REFERENCES auth_user (id)
		ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX IF NOT EXISTS dj_rest_auth_mfa_authenticator_user_id_e953f0ca
	ON dj_rest_auth_mfa_authenticator (user_id);

-- Record the app's migration under 0009's rule: only when the app has
-- none recorded and its table exists. After Django's migrate of the app
-- it has its own record, and nothing is added.
INSERT INTO django_migrations (app, name, applied)
SELECT 'dj_rest_auth_mfa', '0001_initial', now()
WHERE NOT EXISTS (SELECT 1 FROM django_migrations
	WHERE app = 'dj_rest_auth_mfa')
  AND to_regclass('dj_rest_auth_mfa_authenticator') IS NOT NULL;

-- restauth's own: the login tokens mfa/verify/ has seen, keyed by the
-- SHA-256 of the token. attempts counts the verifications that spent a
-- try (atomically, before the code is checked); used_at is set by the
-- verification that logged in, after which the token is refused. A row
-- lives until expires_at (the token's own expiry); `restauth flush`
-- deletes the expired ones.
CREATE TABLE IF NOT EXISTS restauth_mfa_token (
	digest bytea NOT NULL PRIMARY KEY,
	attempts integer NOT NULL,
	used_at timestamp with time zone NULL,
	expires_at timestamp with time zone NOT NULL
);
CREATE INDEX IF NOT EXISTS restauth_mfa_token_expires_at
	ON restauth_mfa_token (expires_at);
