-- Operators: the people who run the service (README, "Operations page"), not employers.
-- An operator sees every server and every live event, never candidates' personal data;
-- granted and revoked only with scripts/provision, never from a page.
ALTER TABLE app_user ADD COLUMN operator boolean NOT NULL DEFAULT false;
