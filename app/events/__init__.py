"""Interview events: the employer's self-service (create, edit, copy, delete, publish)."""
