"""A stand-in for dj-rest-auth's passkeys app (label passkeys) in the
interop project: its one model, written from the contract
(SPEC-mfa-passkeys-social.md 2.3), so that Django itself makes the table
restauth's sql/0011_passkeys.sql must equal."""
