-- restauth's own objects carry restauth's prefix, so that no Django,
-- allauth or simplejwt migration run later on this database meets one
-- of its names (allauth 0.63's account 0009 creates a constraint called
-- unique_primary_email, which 0003 had taken).

-- unique_primary_email is restauth's unless allauth's own migration
-- recorded it: then it is allauth's constraint and stays as it is.
DO $$
DECLARE
	allauths boolean := false;
BEGIN
	IF to_regclass('unique_primary_email') IS NULL OR
	    to_regclass('restauth_unique_primary_email') IS NOT NULL THEN
		RETURN;
	END IF;
	IF to_regclass('django_migrations') IS NOT NULL THEN
		EXECUTE 'SELECT EXISTS (SELECT 1 FROM django_migrations '
		    'WHERE app = ''account'' AND '
		    'name = ''0009_emailaddress_unique_primary_email'')'
		    INTO allauths;
	END IF;
	IF NOT allauths THEN
		ALTER INDEX unique_primary_email
			RENAME TO restauth_unique_primary_email;
	END IF;
END $$;

-- The plain indexes 0001-0003 named after their tables (Django's own
-- names carry a hash suffix, so none of these is Django's).
ALTER INDEX IF EXISTS account_emailaddress_user_id
	RENAME TO restauth_account_emailaddress_user_id;
ALTER INDEX IF EXISTS account_emailaddress_email
	RENAME TO restauth_account_emailaddress_email;
ALTER INDEX IF EXISTS account_emailconfirmation_email_address_id
	RENAME TO restauth_account_emailconfirmation_email_address_id;
ALTER INDEX IF EXISTS token_blacklist_outstandingtoken_user_id
	RENAME TO restauth_token_blacklist_outstandingtoken_user_id;

-- Usernames: no unique index on upper(username) any more. Django's own
-- forms and createsuperuser compare names exactly, so with that index
-- Django's admin failed (IntegrityError) on "BOB2" beside "bob2".
-- restauth's registration, createuser and user/ rename each take an
-- advisory lock on the upper-cased name and then look for it in one
-- transaction (lib/register.c), which keeps restauth's own writes
-- unique case-insensitively. The plain index serves those lookups.
CREATE INDEX IF NOT EXISTS restauth_auth_user_username_upper
	ON auth_user (upper(username));
DROP INDEX IF EXISTS restauth_auth_user_username_iunique;
