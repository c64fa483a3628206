"""Our only way to Janus: a supervised wrapper around janus-client (DESIGN §6)."""
