-- The posts of the public forms that send mail to an address typed into them (forgotten
-- password, sign-up, a candidate's lost link), by client address: one client may post at
-- most `limits.mail_forms_per_hour` of them in an hour (app/mail_forms.py). Each address is
-- limited on its own too; this keeps one client from sending a little mail to very many.
-- Rows older than an hour are of no use and are deleted as the same client posts again.
CREATE TABLE mail_form_post (
    client     text NOT NULL,
    posted_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mail_form_post_client_idx ON mail_form_post (client, posted_at);
