"""Helpers for docker-grade's own tests: a student's engine state built for real, and the CLI."""
