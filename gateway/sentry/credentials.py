"""A credential's fingerprint: what the gateway keeps instead of the credential."""

from __future__ import annotations

import hashlib

__all__ = ["credential_fingerprint"]


def credential_fingerprint(credential: str | None) -> str:
    """A short one-way digest of the credential, safe to keep in keys, maps and logs."""
    if not credential:
        return "anonymous"
    return hashlib.sha256(credential.encode()).hexdigest()[:16]
