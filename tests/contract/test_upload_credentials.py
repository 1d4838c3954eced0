"""Contract of :class:`broker_core.ports.UploadCredentials`: the S3 (STS) adapter and the local one.

The S3 adapter runs against a moto server of its own with IAM authentication switched on, so
that the credentials it hands out are really checked: an upload with them to the key
submit_files answers with succeeds, one with made-up credentials is refused. moto applies the
role's policies but not the session policy that narrows them to one submission's prefix, so that
narrowing is checked on the policy the adapter sends.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from broker_adapters.local_upload_credentials import LocalUploadCredentials
from broker_adapters.s3_storage import S3FileStorage
from broker_adapters.s3_upload_credentials import S3UploadCredentials
from broker_core.submissions.uploads import TemporaryCredentials
from tests.servers import S3Server

REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account
PREFIX = "broker/files"


def _client(
    service: str, endpoint: str, key: str = "testing", secret: str = "testing", token: str | None = None
) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        aws_session_token=token,
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
    )


class AuthenticatedMoto:
    """A moto server whose requests are checked against IAM, with a broker user, a role and a bucket."""

    def __init__(self) -> None:
        self.server = S3Server()
        self.bucket = f"uploads-{uuid.uuid4().hex[:12]}"
        self.role_arn = f"arn:aws:iam::{ACCOUNT}:role/broker-upload"

    def start(self) -> None:
        self.server.start()
        endpoint = self.server.endpoint_url
        iam = _client("iam", endpoint)
        iam.create_user(UserName="broker")
        iam.put_user_policy(
            UserName="broker",
            PolicyName="everything",
            PolicyDocument=json.dumps(
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
            ),
        )
        key = iam.create_access_key(UserName="broker")["AccessKey"]
        self.broker_key = (key["AccessKeyId"], key["SecretAccessKey"])
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/broker"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
        iam.create_role(RoleName="broker-upload", AssumeRolePolicyDocument=json.dumps(trust))
        # The role may put anything under the broker's prefix; the session policy narrows it further.
        iam.put_role_policy(
            RoleName="broker-upload",
            PolicyName="put-uploads",
            PolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": ["s3:PutObject"],
                            "Resource": [f"arn:aws:s3:::{self.bucket}/{PREFIX}/*"],
                        }
                    ],
                }
            ),
        )
        _client("s3", endpoint).create_bucket(Bucket=self.bucket)
        # From now on every request must be signed by a known identity allowed to make it.
        request = urllib.request.Request(
            f"{endpoint}/moto-api/reset-auth",
            data=b"0",
            method="POST",
            headers={"Content-Type": "text/plain"},
        )
        urllib.request.urlopen(request, timeout=10).close()

    def client(self, service: str, **credentials: str | None) -> Any:
        return _client(service, self.server.endpoint_url, **credentials)  # type: ignore[arg-type]

    def broker_client(self, service: str) -> Any:
        return self.client(service, key=self.broker_key[0], secret=self.broker_key[1])


@pytest.fixture(scope="module")
def moto_with_auth() -> Iterator[AuthenticatedMoto]:
    moto = AuthenticatedMoto()
    try:
        moto.start()
        yield moto
    finally:
        moto.server.stop()


def test_assumed_role_credentials_can_upload_to_the_answered_key(moto_with_auth: AuthenticatedMoto) -> None:
    moto = moto_with_auth
    adapter = S3UploadCredentials(
        moto.bucket, PREFIX, role_arn=moto.role_arn, client=moto.broker_client("sts")
    )

    credentials = adapter.for_user(7, "12/")

    assert credentials.session_token and credentials.access_key_id and credentials.secret_access_key
    expires = dt.datetime.strptime(credentials.expiration, "%Y-%m-%dT%H:%M:%SZ")
    assert dt.timedelta(seconds=1900) < expires - dt.datetime.utcnow() <= dt.timedelta(seconds=2000)
    key = adapter.object_key("12/1714564800_approp.csv")
    assert (adapter.bucket_name, key) == (moto.bucket, f"{PREFIX}/12/1714564800_approp.csv")

    uploader = moto.client(
        "s3",
        key=credentials.access_key_id,
        secret=credentials.secret_access_key,
        token=credentials.session_token,
    )
    uploader.put_object(Bucket=moto.bucket, Key=key, Body=b"header\nrow\n")

    broker_storage = S3FileStorage(moto.bucket, PREFIX, client=moto.broker_client("s3"))
    assert broker_storage.exists("12/1714564800_approp.csv")
    assert b"".join(broker_storage.read("12/1714564800_approp.csv")) == b"header\nrow\n"
    with pytest.raises(ClientError):  # the role reaches nothing outside the broker's prefix
        uploader.put_object(Bucket=moto.bucket, Key="elsewhere/x.csv", Body=b"x")


def test_made_up_credentials_are_refused(moto_with_auth: AuthenticatedMoto) -> None:
    moto = moto_with_auth
    forger = moto.client("s3", key="ASIAFORGEDFORGED0000", secret="nope", token="forged")
    with pytest.raises(ClientError):
        forger.put_object(Bucket=moto.bucket, Key=f"{PREFIX}/12/x.csv", Body=b"x")


def test_the_session_policy_reaches_only_the_submissions_prefix() -> None:
    adapter = S3UploadCredentials("bucket", "broker/files", client=_FakeSts())
    assert adapter.policy("12/") == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
                "Resource": ["arn:aws:s3:::bucket/broker/files/12/*"],
            }
        ],
    }
    for unsafe in ("", "../", "/abs", "a//"):
        with pytest.raises(ValueError):
            adapter.for_user(7, unsafe)
    with pytest.raises(ValueError):
        S3UploadCredentials("bucket", duration=60, client=_FakeSts())


def test_assume_role_and_federation_requests() -> None:
    sts = _FakeSts()
    S3UploadCredentials("b", role_arn="arn:aws:iam::1:role/up", client=sts).for_user(7, "12/")
    S3UploadCredentials("b", client=sts).for_user(8, "13/")
    (role_call, role_args), (federation_call, federation_args) = sts.calls
    assert role_call == "assume_role"
    assert (role_args["RoleArn"], role_args["RoleSessionName"], role_args["DurationSeconds"]) == (
        "arn:aws:iam::1:role/up",
        "FileUpload7",
        2000,
    )
    assert json.loads(role_args["Policy"])["Statement"][0]["Resource"] == ["arn:aws:s3:::b/12/*"]
    assert federation_call == "get_federation_token"
    assert (federation_args["Name"], federation_args["DurationSeconds"]) == ("FileUpload8", 2000)
    assert json.loads(federation_args["Policy"])["Statement"][0]["Resource"] == ["arn:aws:s3:::b/13/*"]


def test_gov_cloud_policies_name_their_partition() -> None:
    adapter = S3UploadCredentials("bucket", client=_FakeSts(region="us-gov-west-1"))
    assert adapter.policy("5/")["Statement"][0]["Resource"] == ["arn:aws-us-gov:s3:::bucket/5/*"]


def test_federation_token_from_the_moto_server(s3_server: S3Server) -> None:
    adapter = S3UploadCredentials("bucket", PREFIX, endpoint_url=s3_server.endpoint_url)
    credentials = adapter.for_user(3, "4/")
    assert all((credentials.access_key_id, credentials.secret_access_key, credentials.session_token))
    assert credentials.expiration.endswith("Z")


def test_local_credentials(tmp_path: Path) -> None:
    local = LocalUploadCredentials(tmp_path / "files")
    assert local.bucket_name == str(tmp_path / "files")
    assert local.object_key("uploads/1/5_0123abcd_a.csv") == "uploads/1/5_0123abcd_a.csv"
    assert local.for_user(1, "12/") == TemporaryCredentials("local", "local", "local", "local")


class _FakeSts:
    """Records STS calls and answers like STS (a timezone-aware Expiration, as botocore parses it)."""

    def __init__(self, region: str = "us-east-1") -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.meta = type("Meta", (), {"region_name": region})()

    def _answer(self, call: str, kwargs: dict[str, Any]) -> dict[str, Any]:
        self.calls.append((call, kwargs))
        expires = dt.datetime(2024, 5, 1, 12, 33, 20, 123, tzinfo=dt.UTC)
        return {
            "Credentials": {
                "AccessKeyId": "ASIA",
                "SecretAccessKey": "secret",
                "SessionToken": "token",
                "Expiration": expires,
            }
        }

    def assume_role(self, **kwargs: Any) -> dict[str, Any]:
        return self._answer("assume_role", kwargs)

    def get_federation_token(self, **kwargs: Any) -> dict[str, Any]:
        return self._answer("get_federation_token", kwargs)
