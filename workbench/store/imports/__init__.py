"""The import pipeline's SQL: staging, checks, build, the one-pass load, commit."""
