"""The in-memory submission repositories of ``fakes.py``, where they have logic of their own.

They stand in for the SQL adapter in service tests, so they must agree with its contract
(``tests/contract/test_submission_repository.py``): visibility, cascading deletes, the job
graph of one submission, and commit/rollback.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from broker_core.submissions.job_graph import new_submission_jobs
from broker_core.submissions.model import Submission
from broker_core.submissions.permissions import visible_to
from broker_core.submissions.records import FileRecord
from broker_core.users import Affiliation, PermissionLevel, User
from broker_core.validation.metadata import FileStatus
from tests.unit.fakes import FakeUnitOfWork, FakeUnitOfWorkFactory

NOW = dt.datetime(2024, 5, 1, 12, 0)


def _submission(uow: FakeUnitOfWork, **fields: Any) -> int:
    made = Submission(reporting_start_date=None, reporting_end_date=None, **fields)
    uow.submissions.add(made)
    assert made.submission_id is not None
    return made.submission_id


def _graph(uow: FakeUnitOfWork, submission_id: int) -> list[int]:
    jobs, edges = new_submission_jobs(submission_id, {}, NOW)
    for job in jobs.values():
        uow.jobs.add(job)
    for job_key, prerequisite_key in edges:
        uow.jobs.add_dependency(jobs[job_key].job_id or 0, jobs[prerequisite_key].job_id or 0)
    return [job.job_id or 0 for job in jobs.values()]


def test_visible_agrees_with_the_core_rule() -> None:
    factory = FakeUnitOfWorkFactory()
    with factory() as uow:
        jane = User(email="j@x.gov", name="Jane", affiliations=[Affiliation("1601", PermissionLevel.READER)])
        uow.users.add(jane)
        _submission(uow, cgac_code="097", user_id=jane.user_id)
        _submission(uow, frec_code="1601")
        _submission(uow, cgac_code="012")
        _submission(uow, cgac_code="020", is_fabs=True, user_id=jane.user_id)
        everything = uow.submissions.listed(include_fabs=True)
        admin = User(email="a@x.gov", name="Admin", website_admin=True)
        for user in (jane, admin, User(email="n@x.gov", name="Nobody")):
            codes = None if user.website_admin else frozenset(a.agency_code for a in user.affiliations)
            expected = [s for s in everything if visible_to(user, s)]
            assert uow.submissions.visible(codes, user.user_id, include_fabs=True) == expected
        assert [s.cgac_code for s in uow.submissions.visible(frozenset({"1601"}), jane.user_id)] == [
            "097",
            None,
        ]
        assert uow.submissions.owner_names([jane.user_id or 0, 999]) == {jane.user_id: "Jane"}


def test_delete_cascades_to_one_submissions_jobs_results_and_narratives() -> None:
    factory = FakeUnitOfWorkFactory()
    with factory() as uow:
        doomed, kept = _submission(uow), _submission(uow)
        doomed_jobs, kept_jobs = _graph(uow, doomed), _graph(uow, kept)
        for job_id in (doomed_jobs[0], kept_jobs[0]):
            uow.validation_results.save_file(job_id, FileRecord("a.csv", FileStatus.COMPLETE))
        uow.narratives.replace(doomed, {"A": "x"})
        uow.narratives.replace(kept, {"B": "y"})
        kept_edges = uow.jobs.dependencies(kept)
        uow.commit()
    with factory() as uow:
        uow.submissions.delete(doomed)
        uow.commit()
    with factory() as uow:
        assert uow.submissions.get(doomed) is None and uow.jobs.for_submission(doomed) == []
        assert uow.jobs.dependencies(doomed) == [] and uow.narratives.get(doomed) == {}
        assert uow.validation_results.file(doomed_jobs[0]) is None
        assert [j.job_id for j in uow.jobs.for_submission(kept)] == kept_jobs
        assert uow.jobs.dependencies(kept) == kept_edges and len(kept_edges) == 12
        assert uow.validation_results.file(kept_jobs[0]) is not None
        assert uow.narratives.get(kept) == {"B": "y"}


def test_nothing_is_kept_without_commit() -> None:
    factory = FakeUnitOfWorkFactory()
    with factory() as uow:
        submission_id = _submission(uow)
        uow.commit()
    with factory() as uow:
        job_ids = _graph(uow, submission_id)
        uow.narratives.replace(submission_id, {"A": "x"})
        uow.validation_results.save_file(job_ids[0], FileRecord("a.csv", FileStatus.COMPLETE))
    with factory() as uow:
        assert uow.jobs.for_submission(submission_id) == [] and uow.jobs.dependencies(submission_id) == []
        assert uow.narratives.get(submission_id) == {}
        assert uow.validation_results.file(job_ids[0]) is None
