"""Uploads waiting for an admin's decision, and the one upload being processed at a time."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from retrieval import Preview, Upload

# A preview's buttons work this long; after that the admin sends the document again.
PENDING_SECONDS = 30 * 60


@dataclass(frozen=True, slots=True)
class PendingUpload:
    """An extracted document shown to an admin, not yet added to the library."""

    id: str
    upload: Upload
    preview: Preview
    admin_id: int
    held_at: float


class Uploads:
    """Pending uploads by short id (what their buttons carry), and a busy flag: one document
    is downloaded, extracted or built into the index at a time."""

    def __init__(self, ttl: float = PENDING_SECONDS) -> None:
        self.ttl = ttl
        self._pending: dict[str, PendingUpload] = {}
        self._busy = False

    @property
    def busy(self) -> bool:
        """Whether an upload is being processed right now."""
        return self._busy

    def claim(self) -> bool:
        """Start processing an upload; False when one already is. Checking and claiming happen
        with no ``await`` between them, so two concurrent handlers can't both get it."""
        if self._busy:
            return False
        self._busy = True
        return True

    def release(self) -> None:
        """The upload claimed last is done (added, failed or shown as a preview)."""
        self._busy = False

    def hold(self, upload: Upload, preview: Preview, admin_id: int) -> PendingUpload:
        """Keep an upload until its admin decides; returns it with its new id."""
        self._forget_expired()
        pending = PendingUpload(
            secrets.token_urlsafe(6), upload, preview, admin_id, time.monotonic()
        )
        self._pending[pending.id] = pending
        return pending

    def get(self, upload_id: str, admin_id: int) -> PendingUpload | None:
        """The pending upload with this id, if it is this admin's and has not expired."""
        self._forget_expired()
        pending = self._pending.get(upload_id)
        return pending if pending is not None and pending.admin_id == admin_id else None

    def take(self, upload_id: str, admin_id: int) -> PendingUpload | None:
        """Like :meth:`get`, and the upload is no longer pending (it is being decided)."""
        pending = self.get(upload_id, admin_id)
        if pending is not None:
            del self._pending[upload_id]
        return pending

    def put_back(self, pending: PendingUpload) -> None:
        """Make a taken upload pending again (its change could not start), same id and age."""
        self._pending[pending.id] = pending

    def _forget_expired(self, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        for upload_id in [k for k, p in self._pending.items() if now - p.held_at > self.ttl]:
            del self._pending[upload_id]
