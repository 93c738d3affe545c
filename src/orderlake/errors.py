"""Errors a user can act on: the CLI prints their message as one line and exits non-zero."""


class OrderlakeError(Exception):
    """Something the user can fix: bad input, missing data, a missing tool."""
