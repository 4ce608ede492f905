"""Job records, kept in the queue's own key-value storage, so every web worker and every
``convlens worker`` reads the same ones: the SQLite file in the data folder, or Redis.

The web worker that accepts a job writes its record once; from then on only the worker that
runs it writes it. A cancellation is a key of its own (``cancel:<id>``), so the two never
overwrite each other. A running job's worker writes a heartbeat every
:data:`HEARTBEAT_SECONDS`; a record whose heartbeat is older than :data:`STALE_SECONDS` is
shown as failed, so a job whose worker was killed never stays "running".

A failed job's reason is stored in English with its template and fields (:func:`failure`), as it
is written outside any request; :meth:`JobRecord.status` says it in the reading request's
language (app.i18n).
"""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime
from typing import Any

from pydantic import Field

from app.errors import ConvLensError
from app.i18n import gettext
from app.schemas.training import FINISHED, JobState, JobStatus

HEARTBEAT_SECONDS = 2.0
STALE_SECONDS = 30.0
_PREFIX = "convlens."


class JobRecord(JobStatus):
    """What is stored: the status, with the hash of the token that may cancel it."""

    token_sha256: str
    heartbeat: float | None = Field(default=None, description="time.time() of the last sign.")
    reason_template: str | None = Field(default=None, description="The reason, to translate.")
    reason_params: dict[str, Any] = Field(default_factory=dict, description="Its fields.")

    def status(self, place: int | None = None) -> JobStatus:
        shown = JobStatus.model_validate(self.model_dump(exclude=PRIVATE))
        if shown.reason is not None and self.reason_template is not None:
            reason = localized_reason(shown.reason, self.reason_template, self.reason_params)
            shown = shown.model_copy(update={"reason": reason})
        if shown.state == JobState.queued:
            return shown.model_copy(update={"place": place})
        if shown.state == JobState.running and self.is_stale():
            return shown.model_copy(
                update={
                    "state": JobState.failed,
                    "progress": None,
                    "seconds_left": None,
                    "reason": gettext(
                        "The worker that was training it stopped answering (it was "
                        "stopped or killed, or its machine went away); what it had trained is "
                        "lost. Start the training again."
                    ),
                }
            )
        return shown

    def is_stale(self) -> bool:
        return self.heartbeat is not None and time.time() - self.heartbeat > STALE_SECONDS

    @property
    def finished_state(self) -> bool:
        return self.state in FINISHED


# What a record keeps for itself: not part of the status anyone reads.
PRIVATE = {"token_sha256", "heartbeat", "reason_template", "reason_params"}


def failure(exc: ConvLensError) -> dict[str, Any]:
    """A failed job's or work's reason, for its record: the English message, its template, and
    its fields as plain values (a record is JSON; a field that is a message of its own is kept
    as its template and fields, :data:`NESTED`)."""
    return {"reason": exc.detail, "reason_template": exc.template, "reason_params": _plain(exc)}


# The key of a stored field that is a message of its own: {NESTED: template, "params": {...}}.
NESTED = "message_template"


def _plain(exc: ConvLensError) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name, value in exc.params.items():
        if isinstance(value, ConvLensError):
            fields[name] = {NESTED: value.template, "params": _plain(value)}
        elif isinstance(value, str | int) or (isinstance(value, float) and math.isfinite(value)):
            fields[name] = value
        else:
            fields[name] = str(value)
    return fields


def _revived(template: str, params: dict[str, Any]) -> ConvLensError:
    fields = {
        name: _revived(value[NESTED], value["params"])
        if isinstance(value, dict) and isinstance(value.get(NESTED), str)
        else value
        for name, value in params.items()
    }
    return ConvLensError(template, **fields)


def localized_reason(english: str, template: str, params: dict[str, Any]) -> str:
    """The stored reason in the current request's language (the English one if it will not
    fill in: a record written by another version of the code)."""
    try:
        return _revived(template, params).localized()
    except (KeyError, IndexError, ValueError, TypeError, AttributeError):
        return english


def now() -> datetime:
    return datetime.now(UTC)


class JobStore:
    """Records by job id in a Huey storage (``put_data`` / ``peek_data``: SQLite or Redis)."""

    def __init__(self, storage: Any) -> None:
        self.storage = storage

    def get(self, job_id: str) -> JobRecord | None:
        raw = self.storage.peek_data(f"{_PREFIX}job:{job_id}")
        if not isinstance(raw, bytes | memoryview):  # Huey's EmptyData
            return None
        return JobRecord.model_validate_json(bytes(raw))

    def put(self, record: JobRecord) -> None:
        self.storage.put_data(f"{_PREFIX}job:{record.id}", record.model_dump_json().encode())

    def client_jobs(self, client_key: str) -> list[str]:
        """The ids of the jobs a client (its hashed address) started that may still be active."""
        raw = self.storage.peek_data(f"{_PREFIX}client:{client_key}")
        if not isinstance(raw, bytes | memoryview):
            return []
        return [job_id for job_id in bytes(raw).decode("ascii").split(",") if job_id]

    def set_client_jobs(self, client_key: str, job_ids: list[str]) -> None:
        self.storage.put_data(f"{_PREFIX}client:{client_key}", ",".join(job_ids).encode("ascii"))

    def request_cancel(self, job_id: str) -> None:
        self.storage.put_data(f"{_PREFIX}cancel:{job_id}", b"1")

    def cancel_requested(self, job_id: str) -> bool:
        return bool(self.storage.has_data_for_key(f"{_PREFIX}cancel:{job_id}"))
