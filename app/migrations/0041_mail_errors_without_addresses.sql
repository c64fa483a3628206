-- A mail's last_error kept the SMTP server's reply, which names the refused address; it is
-- shown on the operations page and logged, and erasing a candidate does not reach it as an
-- error text. app/mail/smtp.py `describe` now blanks every address before it is stored;
-- the errors stored before that are blanked the same way here (the same pattern, without
-- the rare quoted local part, which the next failure overwrites anyway).
UPDATE mail_outbox
SET last_error = regexp_replace(last_error, '[^\s<>()\[\],;:"@]*@[^\s<>()\[\],;:"@]+', '[address]', 'g')
WHERE last_error LIKE '%@%';
