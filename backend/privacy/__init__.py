"""Privacy: GDPR export and erasure of one person, retention purge, and reading the audit log."""
