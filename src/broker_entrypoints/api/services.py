"""What the API needs from the rest of the broker (structural types, no imports of adapters)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from broker_core.identity import IdentityProvider
from broker_core.services.auth import AuthService
from broker_core.services.submission_views import SubmissionViews

if TYPE_CHECKING:  # the service module pulls in the whole generation engine
    from broker_core.services.generation import GenerationService
    from broker_core.services.submission_generation import SubmissionGenerationService
    from broker_core.services.submission_uploads import SubmissionUploadService
    from broker_core.services.submissions import SubmissionService


class DownloadVerifier(Protocol):
    """Checks signed download links and finds the stored files (local storage only)."""

    def verify(self, key: str, expires: str, filename: str, signature: str) -> bool:
        """Whether the signature matches and the link has not expired (arguments as sent)."""
        ...

    def path_for(self, key: str) -> Path: ...

    @property
    def root(self) -> Path:
        """The folder the stored files are in (served under its own path in local mode)."""
        ...


class ApiServices(Protocol):
    """The broker as seen by the API. Members are read-only so properties satisfy them."""

    @property
    def generation(self) -> GenerationService: ...

    @property
    def auth(self) -> AuthService: ...

    @property
    def submission_views(self) -> SubmissionViews | None:
        """check_status, list_submissions, report links, get_obligations (absent in some test doubles)."""
        ...

    @property
    def submission_files(self) -> SubmissionGenerationService | None:
        """generate_file and check_generation_status of a submission's D1, D2, E and F."""
        ...

    @property
    def submission_uploads(self) -> SubmissionUploadService | None:
        """submit_files, local_upload, finalize_job (absent in some test doubles)."""
        ...

    @property
    def submissions(self) -> SubmissionService | None:
        """restart, delete, certify, publish FABS, narratives, help files (absent in some test doubles)."""
        ...

    @property
    def download_verifier(self) -> DownloadVerifier | None:
        """``None`` when files are not served by the API (e.g. S3 storage)."""
        ...

    @property
    def cors_origins(self) -> Sequence[str]:
        """Allowed browser origins; ``["*"]`` allows any."""
        ...

    @property
    def identity_provider(self) -> IdentityProvider | None:
        """MAX ticket validation for ``/v1/max_login/``; ``None`` (or absent): no such route."""
        ...

    @property
    def cas_parent_group(self) -> str:
        """The MAX parent group whose ``<parent>-CGAC_…`` groups grant rights (with a provider)."""
        ...
