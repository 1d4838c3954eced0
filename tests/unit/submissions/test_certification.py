"""Spec-era certification: the checks in order, publishing, and the certified storage key."""

from __future__ import annotations

import datetime as dt

import pytest

from broker_core.errors import RequestInvalid
from broker_core.submissions.certification import (
    ALREADY_CERTIFIED,
    CRITICAL_ERRORS,
    MONTHLY_REFUSED,
    certified_file_key,
    certify,
    check_certifiable,
)
from broker_core.submissions.model import PublishStatus, Submission

NOW = dt.datetime(2024, 3, 4, 5, 6, 7)


def quarterly(**overrides: object) -> Submission:
    values: dict[str, object] = {
        "cgac_code": "020",
        "is_quarter_format": True,
        "publishable": True,
        "reporting_fiscal_year": 2016,
        "reporting_fiscal_period": 6,
    }
    values.update(overrides)
    return Submission(dt.date(2016, 1, 1), dt.date(2016, 3, 31), **values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        # the first failing check wins
        ({"publishable": False, "is_quarter_format": False, "publish_status": PublishStatus.PUBLISHED}, CRITICAL_ERRORS),
        ({"is_quarter_format": False, "publish_status": PublishStatus.PUBLISHED}, MONTHLY_REFUSED),
        ({"publish_status": PublishStatus.PUBLISHED}, ALREADY_CERTIFIED),
    ],
)  # fmt: skip
def test_refusals_in_order(overrides: dict[str, object], message: str) -> None:
    sub = quarterly(**overrides)
    before = sub.publish_status
    with pytest.raises(RequestInvalid) as info:
        certify(sub, NOW)
    assert (info.value.status, info.value.message) == (400, message)
    assert sub.publish_status is before


@pytest.mark.parametrize("status", [PublishStatus.UNPUBLISHED, PublishStatus.UPDATED])
def test_certify_publishes(status: PublishStatus) -> None:
    sub = quarterly(publish_status=status)
    check_certifiable(sub)
    certify(sub, NOW)
    assert (sub.publish_status, sub.updated_at) == (PublishStatus.PUBLISHED, NOW)


def test_certified_file_key() -> None:
    sub = quarterly()
    assert (
        certified_file_key(sub, "12/1457645154_appropriations.csv")
        == "020/2016/2/1457645154_appropriations.csv"
    )
    assert certified_file_key(sub, "/home/u/broker/a.csv") == "020/2016/2/a.csv"
    assert certified_file_key(sub, "b.csv") == "020/2016/2/b.csv"
    frec = quarterly(cgac_code=None, frec_code="1601", reporting_fiscal_period=12)
    assert certified_file_key(frec, "5/x.csv") == "1601/2016/4/x.csv"
    with pytest.raises(ValueError):
        certified_file_key(sub, "12/")
