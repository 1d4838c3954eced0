"""File validation rules (spec validator.md): schemas, headers, reading, cleaning and row checks."""
