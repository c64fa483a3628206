-- The candidate's Janus token is renewed every time their ticket is re-issued (each "accept":
-- the first join, a reload, a second device), and the previous one removed from Janus, so
-- only the newest ticket's token works. Tokens are derived, not stored (app/janus/tokens.py):
-- this counter is what makes each new one different. The interviewer's stays 0.
ALTER TABLE interview ADD COLUMN candidate_token_serial integer NOT NULL DEFAULT 0;
