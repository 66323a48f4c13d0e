"""A consistency auditing engine for reported data."""
__version__ = "0.1.0"
