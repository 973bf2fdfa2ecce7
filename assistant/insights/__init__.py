"""Clinic insights: replies and votes recorded privately, in SQLite or PostgreSQL, and the tables read from them.

Nothing here is imported by `import assistant`: SQLAlchemy loads only where the store is used.
"""
