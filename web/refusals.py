"""What a page raises to refuse a request; ``error_pages`` turns each into its page."""

from __future__ import annotations

from starlette.responses import Response


class Forbidden(Exception):
    """A POST without this process's token for the browser's session."""


class NotAllowed(Exception):
    """A person asking for what their role does not let them do: 403 with a page that says why."""


class LoginRequired(Exception):
    """A team's page asked for without a valid session."""


class Refused(Exception):
    """A save that must leave no trace (rolled back), with the page that says why."""

    def __init__(self, response: Response):
        self.response = response
