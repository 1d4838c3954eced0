"""Local-mode :class:`~broker_core.ports.UploadCredentials`: nothing goes to S3.

Clients post their files to ``/v1/local_upload/``; submit_files answers with the storage folder as
``bucket_name``, the storage keys as they are, and credentials that are all "local" (as the
original's local installs did).
"""

from __future__ import annotations

from pathlib import Path

from broker_core.submissions.uploads import LOCAL_CREDENTIALS, TemporaryCredentials


class LocalUploadCredentials:
    def __init__(self, root: Path) -> None:
        self._root = Path(root)

    @property
    def bucket_name(self) -> str:
        return str(self._root)

    def object_key(self, key: str) -> str:
        return key

    def for_user(self, user_id: int, key_prefix: str) -> TemporaryCredentials:
        return LOCAL_CREDENTIALS
