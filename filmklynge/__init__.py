"""filmklynge: membership, dues and co-funding manager for Norwegian business clusters."""

__version__ = "0.1.0"
