"""HTTP plumbing shared by the API modes: dlt's RESTClient with bounded retries and clear auth errors.

Transient failures (429 honouring ``Retry-After``, 5xx, timeouts, dropped connections) are retried
with exponential backoff by dlt's requests helper; 401 / 403 are not retried and surface at once as an
:class:`ApiAuthError` naming the system and what to fix.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from dlt.sources.helpers.requests import Client, HTTPError
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.auth import BearerTokenAuth

AUTH_FAILURES = (401, 403)


class ApiAuthError(RuntimeError):
    """The API refused the credentials: retrying cannot help."""


@dataclass(frozen=True)
class ApiSettings:
    """Where an API lives, its token and how hard to retry."""

    base_url: str
    token: str
    max_attempts: int = 5
    backoff_factor: float = 1.0
    max_retry_delay: float = 60.0
    timeout: float = 60.0


def make_rest_client(settings: ApiSettings) -> RESTClient:
    """A RESTClient with bearer auth and dlt's retrying session configured from ``settings``."""
    session = Client(
        request_timeout=settings.timeout,
        request_max_attempts=settings.max_attempts,
        request_backoff_factor=settings.backoff_factor,
        request_max_retry_delay=settings.max_retry_delay,
    ).session
    return RESTClient(base_url=settings.base_url, auth=BearerTokenAuth(settings.token), session=session)


def guarded_pages(pages: Iterator[Any], system: str, token_setting: str) -> Iterator[list[dict[str, Any]]]:
    """Pass pages through, turning an authentication failure into a clear, immediate error."""
    try:
        for page in pages:
            yield list(page)
    except HTTPError as error:
        response = error.response
        if response is not None and response.status_code in AUTH_FAILURES:
            raise ApiAuthError(
                f"{system} API refused the credentials ({response.status_code} {response.reason}) at "
                f"{response.url}: the token is missing, wrong or expired; set {token_setting}."
            ) from error
        raise
