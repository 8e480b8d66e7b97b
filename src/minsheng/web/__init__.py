"""The web entrypoint: FastAPI JSON API and server-rendered pages (no business logic here)."""
