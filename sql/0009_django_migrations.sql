-- Either order on one database: restauth's migrate first, or a Django
-- project's migrate first. restauth records in Django's own ledger,
-- django_migrations, the Django migrations whose schema it created, so
-- that Django's migrate later skips them instead of failing on
-- "relation auth_user already exists".
--
-- No django_migrations: Django never migrated this database. Then
-- restauth creates the ledger and the tables of Django's contenttypes
-- and auth apps that it lacks, in the exact shape Django 3.2's
-- migrations leave them (column types, NULLs, keys, and the constraint
-- and index names Django gives them), so that every app whose tables
-- restauth made can be recorded as migrated.
DO $$
BEGIN
	IF to_regclass('django_migrations') IS NOT NULL THEN
		RETURN;
	END IF;
	CREATE TABLE django_migrations (
		id serial NOT NULL PRIMARY KEY,
		app varchar(255) NOT NULL,
		name varchar(255) NOT NULL,
		applied timestamp with time zone NOT NULL
	);

	-- contenttypes 0001-0002 (0002 drops the name column).
	CREATE TABLE IF NOT EXISTS django_content_type (
		id serial NOT NULL PRIMARY KEY,
		app_label varchar(100) NOT NULL,
		model varchar(100) NOT NULL,
		CONSTRAINT django_content_type_app_label_model_76bd3d3b_uniq
			UNIQUE (app_label, model)
	);

	-- auth 0001-0012, besides auth_user (sql/0001_auth.sql).
	CREATE TABLE IF NOT EXISTS auth_permission (
		id serial NOT NULL PRIMARY KEY,
		name varchar(255) NOT NULL,
		content_type_id integer NOT NULL,
		codename varchar(100) NOT NULL,
		CONSTRAINT auth_permission_content_type_id_codename_01ab375a_uniq
			UNIQUE (content_type_id, codename),
		CONSTRAINT auth_permission_content_type_id_2f476e4b_fk_django_co
			FOREIGN KEY (content_type_id)
			REFERENCES django_content_type (id)
			DEFERRABLE INITIALLY DEFERRED
	);
	CREATE INDEX IF NOT EXISTS auth_permission_content_type_id_2f476e4b
		ON auth_permission (content_type_id);

	CREATE TABLE IF NOT EXISTS auth_group (
		id serial NOT NULL PRIMARY KEY,
		name varchar(150) NOT NULL UNIQUE
	);
	CREATE INDEX IF NOT EXISTS auth_group_name_a6ea08ec_like
		ON auth_group (name varchar_pattern_ops);

	CREATE TABLE IF NOT EXISTS auth_group_permissions (
		id serial NOT NULL PRIMARY KEY,
		group_id integer NOT NULL,
		permission_id integer NOT NULL,
		CONSTRAINT auth_group_permissions_group_id_permission_id_0cd325b0_uniq
			UNIQUE (group_id, permission_id),
		CONSTRAINT auth_group_permissions_group_id_b120cbf9_fk_auth_group_id
			FOREIGN KEY (group_id) REFERENCES auth_group (id)
			DEFERRABLE INITIALLY DEFERRED,
		CONSTRAINT auth_group_permissio_permission_id_84c5c92e_fk_auth_perm
			FOREIGN KEY (permission_id)
			REFERENCES auth_permission (id)
			DEFERRABLE INITIALLY DEFERRED
	);
	CREATE INDEX IF NOT EXISTS auth_group_permissions_group_id_b120cbf9
		ON auth_group_permissions (group_id);
	CREATE INDEX IF NOT EXISTS
		auth_group_permissions_permission_id_84c5c92e
		ON auth_group_permissions (permission_id);

	CREATE TABLE IF NOT EXISTS auth_user_groups (
		id serial NOT NULL PRIMARY KEY,
		user_id integer NOT NULL,
		group_id integer NOT NULL,
		CONSTRAINT auth_user_groups_user_id_group_id_94350c0c_uniq
			UNIQUE (user_id, group_id),
		CONSTRAINT auth_user_groups_user_id_6a12ed8b_fk_auth_user_id
			FOREIGN KEY (user_id) REFERENCES auth_user (id)
			DEFERRABLE INITIALLY DEFERRED,
		CONSTRAINT auth_user_groups_group_id_97559544_fk_auth_group_id
			FOREIGN KEY (group_id) REFERENCES auth_group (id)
			DEFERRABLE INITIALLY DEFERRED
	);
	CREATE INDEX IF NOT EXISTS auth_user_groups_user_id_6a12ed8b
		ON auth_user_groups (user_id);
	CREATE INDEX IF NOT EXISTS auth_user_groups_group_id_97559544
		ON auth_user_groups (group_id);

	CREATE TABLE IF NOT EXISTS auth_user_user_permissions (
		id serial NOT NULL PRIMARY KEY,
		user_id integer NOT NULL,
		permission_id integer NOT NULL,
		CONSTRAINT auth_user_user_permissions_user_id_permission_id_14a6b632_uniq
			UNIQUE (user_id, permission_id),
		CONSTRAINT auth_user_user_permissions_user_id_a95ead1b_fk_auth_user_id
			FOREIGN KEY (user_id) REFERENCES auth_user (id)
			DEFERRABLE INITIALLY DEFERRED,
		CONSTRAINT auth_user_user_permi_permission_id_1fbb5f2c_fk_auth_perm
			FOREIGN KEY (permission_id)
			REFERENCES auth_permission (id)
			DEFERRABLE INITIALLY DEFERRED
	);
	CREATE INDEX IF NOT EXISTS auth_user_user_permissions_user_id_a95ead1b
		ON auth_user_user_permissions (user_id);
	CREATE INDEX IF NOT EXISTS
		auth_user_user_permissions_permission_id_1fbb5f2c
		ON auth_user_user_permissions (permission_id);

	-- Django's own index on auth_user.username (LIKE lookups).
	CREATE INDEX IF NOT EXISTS auth_user_username_6821ab7c_like
		ON auth_user (username varchar_pattern_ops);
END $$;

-- Record an app's migrations (the names Django 3.2, DRF 3.14,
-- simplejwt 5.2.2 and django-allauth 0.51 ship) when it has none
-- recorded yet and every table its migrations make exists. With Django
-- first, this records only the apps the Django project does not have
-- (say, no allauth: restauth made account_*), so that adding one later
-- does not fail. An app already recorded is left alone.
INSERT INTO django_migrations (app, name, applied)
SELECT m.app, m.name, now()
FROM (VALUES
	(1, 'contenttypes', '0001_initial'),
	(2, 'contenttypes', '0002_remove_content_type_name'),
	(3, 'auth', '0001_initial'),
	(4, 'auth', '0002_alter_permission_name_max_length'),
	(5, 'auth', '0003_alter_user_email_max_length'),
	(6, 'auth', '0004_alter_user_username_opts'),
	(7, 'auth', '0005_alter_user_last_login_null'),
	(8, 'auth', '0006_require_contenttypes_0002'),
	(9, 'auth', '0007_alter_validators_add_error_messages'),
	(10, 'auth', '0008_alter_user_username_max_length'),
	(11, 'auth', '0009_alter_user_last_name_max_length'),
	(12, 'auth', '0010_alter_group_name_max_length'),
	(13, 'auth', '0011_update_proxy_permissions'),
	(14, 'auth', '0012_alter_user_first_name_max_length'),
	(15, 'sessions', '0001_initial'),
	(16, 'authtoken', '0001_initial'),
	(17, 'authtoken', '0002_auto_20160226_1747'),
	(18, 'authtoken', '0003_tokenproxy'),
	(19, 'token_blacklist', '0001_initial'),
	(20, 'token_blacklist', '0002_outstandingtoken_jti_hex'),
	(21, 'token_blacklist', '0003_auto_20171017_2007'),
	(22, 'token_blacklist', '0004_auto_20171017_2013'),
	(23, 'token_blacklist', '0005_remove_outstandingtoken_jti'),
	(24, 'token_blacklist', '0006_auto_20171017_2113'),
	(25, 'token_blacklist', '0007_auto_20171017_2214'),
	(26, 'token_blacklist', '0008_migrate_to_bigautofield'),
	(27, 'token_blacklist', '0010_fix_migrate_to_bigautofield'),
	(28, 'token_blacklist', '0011_linearizes_history'),
	(29, 'token_blacklist', '0012_alter_outstandingtoken_user'),
	(30, 'account', '0001_initial'),
	(31, 'account', '0002_email_max_length')
) AS m (ord, app, name)
JOIN (VALUES
	('contenttypes', ARRAY['django_content_type']),
	('auth', ARRAY['auth_user', 'auth_permission', 'auth_group',
	    'auth_group_permissions', 'auth_user_groups',
	    'auth_user_user_permissions']),
	('sessions', ARRAY['django_session']),
	('authtoken', ARRAY['authtoken_token']),
	('token_blacklist', ARRAY['token_blacklist_outstandingtoken',
	    'token_blacklist_blacklistedtoken']),
	('account', ARRAY['account_emailaddress',
	    'account_emailconfirmation'])
) AS a (app, tables) ON a.app = m.app
WHERE NOT EXISTS (SELECT 1 FROM django_migrations d WHERE d.app = m.app)
  AND NOT EXISTS (SELECT 1 FROM unnest(a.tables) AS t (name)
	WHERE to_regclass(t.name) IS NULL)
ORDER BY m.ord;
