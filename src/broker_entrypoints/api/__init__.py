"""The HTTP API (Falcon): routes, sessions, CORS, error mapping, JSON shapes."""
