"""The database file and what keeps it sound: opening it (pragmas, permissions, backups),
the schema migrations, and the audit log every write goes through."""
