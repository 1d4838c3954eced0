"""The answers of the routes that create and change submissions, as the API serialises them."""

from __future__ import annotations

import attrs

from broker_core.submissions.uploads import TemporaryCredentials


@attrs.frozen
class UploadSlot:
    """One file of a submit_files answer: ``<file_type>_id`` and ``<file_type>_key``."""

    file_type: str
    job_id: int
    #: Where the client uploads the file; None for the files the Broker generates.
    key: str | None


@attrs.frozen
class SubmitFilesResult:
    submission_id: int
    bucket_name: str
    credentials: TemporaryCredentials
    files: tuple[UploadSlot, ...]


@attrs.frozen
class FinalizeResult:
    success: bool
    submission_id: int


@attrs.frozen
class LocalUploadResult:
    #: The storage key to pass back to submit_files.
    path: str


@attrs.frozen
class ProtectedFiles:
    #: Help file name -> signed download link.
    urls: dict[str, str]


@attrs.frozen
class Message:
    message: str


SUCCESS = Message("Success")


@attrs.frozen
class PublishedFabs:
    submission_id: int
