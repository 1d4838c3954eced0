"""File generation rules (D1, D2, A): pure functions and value objects."""
