-- Webhook secrets are stored encrypted like access tokens. SQL cannot encrypt (the key never reaches the store), so
-- rows written before this migration keep their plaintext here until the control plane seals them on its next start,
-- before it serves anything (sealSecretsAtRest in bootstrap.ts; the setting 'secrets-sealed' records that it ran).
-- The same start re-seals access tokens to the host and username they were given for.
ALTER TABLE integrations RENAME COLUMN webhook_secret TO webhook_secret_encrypted;
