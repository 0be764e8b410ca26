"""Errors a user can act on. The CLI prints them as one line and exits with code 2."""


class MtqaError(Exception):
    """A problem with the user's input, files, configuration or models (not a bug in mtqa)."""
