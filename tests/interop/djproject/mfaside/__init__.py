"""A stand-in for dj-rest-auth 7.2's MFA app (label dj_rest_auth_mfa) in
the interop project: its one model, written from the contract
(SPEC-mfa-passkeys-social.md 1.3), so that Django itself makes the table
restauth's sql/0010_mfa.sql must equal."""
