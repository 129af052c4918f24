"""A caller's credential, and its fingerprint: what the gateway keeps instead of the credential."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

__all__ = ["ANONYMOUS", "Credential", "credential_fingerprint"]

#: The fingerprint of "no credential".
ANONYMOUS = "anonymous"


def credential_fingerprint(credential: str | None) -> str:
    """A short one-way digest of the credential, safe to keep in keys, maps and logs."""
    if not credential:
        return ANONYMOUS
    return hashlib.sha256(credential.encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Credential:
    """An ``Authorization`` header value with its fingerprint, worked out once.

    One request's loaders make one and hand it to every client call, which
    would otherwise hash the header again for each (the per-credential rate
    limits and concurrency are kept by fingerprint). Its repr shows only the
    fingerprint, so a credential caught in a log line or traceback stays hidden.
    """

    header: str | None = field(repr=False)
    fingerprint: str

    @classmethod
    def of(cls, value: Credential | str | None) -> Credential:
        if isinstance(value, Credential):
            return value
        return cls(value or None, credential_fingerprint(value))
