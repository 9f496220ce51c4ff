"""Read-only views over the domains: the summary, exports for other systems, and the health
checks behind `db check` (which ask each domain for its own consistency checks)."""
