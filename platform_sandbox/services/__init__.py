"""Data functions of each area: they take a session and keyword arguments, raise ApiError."""
