"""S3 :class:`~broker_core.ports.UploadCredentials`: temporary AWS credentials for one submission's keys.

Clients upload a submission's files straight to the bucket (spec §2.3). The credentials come
from STS and carry an inline policy that allows only putting objects (and the multipart calls a
large put needs) under that submission's prefix, for ``duration`` seconds:

- with ``role_arn`` (``BROKER_UPLOAD_ROLE_ARN``): ``AssumeRole`` with the session name
  ``FileUpload<user id>`` (the original's way; the role must allow ``s3:PutObject`` on the bucket,
  the session policy narrows it to the prefix);
- without: ``GetFederationToken`` named ``FileUpload<user id>`` (the broker's own credentials
  must then be an IAM user's, which the federated user's rights can never exceed).

The upload keys the client is given are the S3 object keys: the storage prefix of
:class:`~broker_adapters.s3_storage.S3FileStorage` plus the storage key.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import boto3
from botocore.config import Config

from broker_adapters.local_storage import LocalFileStorage
from broker_adapters.s3_storage import S3FileStorage
from broker_core.submissions.uploads import TemporaryCredentials

#: The original's credential lifetime (seconds).
DEFAULT_DURATION = 2000
#: STS refuses shorter lifetimes.
MIN_DURATION = 900
#: What an upload needs: a plain put, or the calls of a multipart upload.
UPLOAD_ACTIONS = ("s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts")


class S3UploadCredentials:
    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        role_arn: str | None = None,
        duration: int = DEFAULT_DURATION,
        endpoint_url: str | None = None,
        client: Any | None = None,
    ) -> None:
        if duration < MIN_DURATION:
            raise ValueError(f"STS credentials last at least {MIN_DURATION} s, not {duration}")
        self._bucket = bucket
        self._prefix = prefix.strip("/")
        self._role_arn = role_arn or None
        self._duration = duration
        self._client: Any = (
            client
            if client is not None
            else boto3.client(
                "sts",
                endpoint_url=endpoint_url,
                config=Config(
                    retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=10, read_timeout=30
                ),
            )
        )

    @classmethod
    def for_storage(
        cls, storage: S3FileStorage, *, role_arn: str | None = None, endpoint_url: str | None = None
    ) -> S3UploadCredentials:
        """Credentials for uploads into ``storage`` (same bucket and prefix)."""
        return cls(storage.bucket, storage.prefix, role_arn=role_arn, endpoint_url=endpoint_url)

    @property
    def bucket_name(self) -> str:
        return self._bucket

    def object_key(self, key: str) -> str:
        LocalFileStorage.validate_key(key)
        return f"{self._prefix}/{key}" if self._prefix else key

    def policy(self, key_prefix: str) -> dict[str, Any]:
        """The session policy: uploads under ``key_prefix`` only."""
        LocalFileStorage.validate_key_prefix(key_prefix)
        if not key_prefix:  # the whole storage would be open to overwriting
            raise ValueError("upload credentials must be limited to a key prefix")
        full = f"{self._prefix}/{key_prefix}" if self._prefix else key_prefix
        return {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": list(UPLOAD_ACTIONS),
                    "Resource": [f"arn:{self._partition()}:s3:::{self._bucket}/{full}*"],
                }
            ],
        }

    def for_user(self, user_id: int, key_prefix: str) -> TemporaryCredentials:
        name = f"FileUpload{int(user_id)}"
        policy = json.dumps(self.policy(key_prefix), separators=(",", ":"))
        if self._role_arn is not None:
            answer = self._client.assume_role(
                RoleArn=self._role_arn, RoleSessionName=name, Policy=policy, DurationSeconds=self._duration
            )
        else:
            answer = self._client.get_federation_token(
                Name=name, Policy=policy, DurationSeconds=self._duration
            )
        credentials = answer["Credentials"]
        return TemporaryCredentials(
            access_key_id=credentials["AccessKeyId"],
            secret_access_key=credentials["SecretAccessKey"],
            session_token=credentials["SessionToken"],
            expiration=_iso_utc(credentials["Expiration"]),
        )

    def _partition(self) -> str:
        region = str(getattr(self._client.meta, "region_name", "") or "")
        if region.startswith("us-gov-"):
            return "aws-us-gov"
        if region.startswith("cn-"):
            return "aws-cn"
        return "aws"


def _iso_utc(value: Any) -> str:
    """``2016-01-22T15:25:23Z`` from the datetime botocore parses (or the text it could not)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.replace(microsecond=0).isoformat() + "Z"
    return str(value)
