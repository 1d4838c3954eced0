"""The jobs of a new submission, dependency readiness, restart and re-upload."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from broker_core.errors import RequestInvalid
from broker_core.file_types import FileType
from broker_core.jobs import Job, JobStatus, JobType
from broker_core.submissions.job_graph import (
    ALL_FILES_REQUIRED,
    CROSS_FILE,
    NEW_DABS_JOBS,
    NOT_FINISHED,
    ONE_FILE_REQUIRED,
    STILL_RUNNING,
    apply_restart,
    apply_reupload,
    check_new_submission_files,
    jobs_to_ready,
    new_submission_jobs,
    restart_plan,
    reupload_plan,
    should_enqueue,
)
from broker_core.submissions.model import Submission

NOW = dt.datetime(2024, 1, 2, 3, 4, 5)
LATER = NOW + dt.timedelta(minutes=5)
UP, VAL, CROSS = JobType.FILE_UPLOAD, JobType.CSV_RECORD_VALIDATION, JobType.VALIDATION
W, RD, RU, F, INV, X = (
    JobStatus.WAITING,
    JobStatus.READY,
    JobStatus.RUNNING,
    JobStatus.FINISHED,
    JobStatus.INVALID,
    JobStatus.FAILED,
)


def test_new_dabs_jobs_table() -> None:
    table = [(s.key, s.job_type, s.file_type, s.initial_status, s.prerequisites) for s in NEW_DABS_JOBS]
    assert table == [
        ("A_upload", UP, FileType.A, RU, ()),
        ("A_validation", VAL, FileType.A, W, ("A_upload",)),
        ("B_upload", UP, FileType.B, RU, ()),
        ("B_validation", VAL, FileType.B, W, ("B_upload",)),
        ("C_upload", UP, FileType.C, RU, ()),
        ("C_validation", VAL, FileType.C, W, ("C_upload",)),
        ("D1_upload", UP, FileType.D1, RD, ()),
        ("D1_validation", VAL, FileType.D1, W, ("D1_upload",)),
        ("D2_upload", UP, FileType.D2, RD, ()),
        ("D2_validation", VAL, FileType.D2, W, ("D2_upload",)),
        ("E_upload", UP, FileType.E, W, ("D1_validation",)),
        ("F_upload", UP, FileType.F, W, ("C_validation",)),
        (
            "cross_file",
            CROSS,
            None,
            W,
            ("A_validation", "B_validation", "C_validation", "D1_validation", "D2_validation"),
        ),
    ]


def test_specs_come_after_their_prerequisites() -> None:
    seen: set[str] = set()
    for spec in NEW_DABS_JOBS:
        assert set(spec.prerequisites) <= seen
        seen.add(spec.key)
    assert len(seen) == 13  # no external_validation job (quirk 32)


def test_new_submission_jobs_share_names_and_edges() -> None:
    names = {FileType.A: ("12/1_a.csv", "a.csv"), FileType.D1: ("12/1_d1.csv", "d1_data.csv")}
    jobs, edges = new_submission_jobs(12, names, NOW)
    assert list(jobs) == [spec.key for spec in NEW_DABS_JOBS]
    a_up, a_val = jobs["A_upload"], jobs["A_validation"]
    assert (a_up.filename, a_up.original_filename) == ("12/1_a.csv", "a.csv")
    assert (a_val.filename, a_val.original_filename) == ("12/1_a.csv", "a.csv")
    assert jobs["D1_validation"].filename == "12/1_d1.csv"
    assert jobs["B_upload"].filename is None and jobs[CROSS_FILE].filename is None
    assert all(j.submission_id == 12 and j.created_at == NOW and j.job_id is None for j in jobs.values())
    assert jobs["C_upload"].status is RU and jobs["E_upload"].status is W
    assert ("E_upload", "D1_validation") in edges and ("A_validation", "A_upload") in edges
    assert len(edges) == 5 + 2 + 5


def test_new_submission_needs_a_b_and_c() -> None:
    check_new_submission_files({FileType.A, FileType.B, FileType.C})
    with pytest.raises(RequestInvalid) as info:
        check_new_submission_files({FileType.A, FileType.C})
    assert info.value.message == ALL_FILES_REQUIRED


def test_should_enqueue_only_validations() -> None:
    assert should_enqueue(Job(VAL, FileType.A, RD))
    assert should_enqueue(Job(CROSS, None, RD))
    assert not should_enqueue(Job(UP, FileType.E, RD))


def stored_submission(
    statuses: dict[str, JobStatus] | None = None,
) -> tuple[dict[str, Job], list[tuple[int, int]]]:
    """A new submission's jobs with ids 1..13 and numeric edges; ``statuses`` overrides by key."""
    jobs, key_edges = new_submission_jobs(
        5, {ft: (f"5/{ft.letter}.csv", f"{ft.letter}.csv") for ft in FileType}, NOW
    )
    for number, (key, job) in enumerate(jobs.items(), start=1):
        job.job_id = number
        job.status = (statuses or {}).get(key, job.status)
    return jobs, [(_id(jobs, a), _id(jobs, b)) for a, b in key_edges]


def _id(jobs: dict[str, Job], key: str) -> int:
    job_id = jobs[key].job_id
    assert job_id is not None
    return job_id


def test_finishing_an_upload_readies_its_validation() -> None:
    jobs, edges = stored_submission({"A_upload": F})
    assert jobs_to_ready(_id(jobs, "A_upload"), list(jobs.values()), edges) == [_id(jobs, "A_validation")]


def test_cross_file_waits_for_all_five_validations_without_errors() -> None:
    done = {k: F for k in jobs_keys() if k != CROSS_FILE and not k.startswith(("E", "F"))}
    jobs, edges = stored_submission({**done, "D2_validation": RU})
    job_list = list(jobs.values())
    assert jobs_to_ready(_id(jobs, "A_validation"), job_list, edges) == []
    jobs["D2_validation"].status = F
    assert jobs_to_ready(_id(jobs, "D2_validation"), job_list, edges) == [_id(jobs, CROSS_FILE)]
    # quirk 20: a validation with row errors blocks cross-file (and F for file C)
    jobs["C_validation"].number_of_errors = 3
    assert jobs_to_ready(_id(jobs, "D2_validation"), job_list, edges) == []
    assert jobs_to_ready(_id(jobs, "C_validation"), job_list, edges) == []


def test_f_and_cross_file_follow_c() -> None:
    done = {k: F for k in jobs_keys() if k != CROSS_FILE and not k.startswith(("E", "F"))}
    jobs, edges = stored_submission(done)
    ready = jobs_to_ready(_id(jobs, "C_validation"), list(jobs.values()), edges)
    assert ready == [_id(jobs, "F_upload"), _id(jobs, CROSS_FILE)]


def test_dependants_not_waiting_are_left_alone() -> None:
    jobs, edges = stored_submission({"A_upload": F, "A_validation": RU})
    assert jobs_to_ready(_id(jobs, "A_upload"), list(jobs.values()), edges) == []


def test_readiness_check_needs_a_finished_job() -> None:
    jobs, edges = stored_submission()
    with pytest.raises(ValueError, match=NOT_FINISHED):
        jobs_to_ready(_id(jobs, "A_upload"), list(jobs.values()), edges)
    with pytest.raises(ValueError, match=NOT_FINISHED):
        jobs_to_ready(999, list(jobs.values()), edges)


def jobs_keys() -> list[str]:
    return [spec.key for spec in NEW_DABS_JOBS]


STATUS = st.sampled_from(JobStatus)


@given(st.lists(STATUS, min_size=13, max_size=13), st.lists(st.integers(0, 2), min_size=13, max_size=13))
def test_readiness_rule(statuses: list[JobStatus], errors: list[int]) -> None:
    jobs, edges = stored_submission(dict(zip(jobs_keys(), statuses, strict=True)))
    for job, count in zip(jobs.values(), errors, strict=True):
        job.number_of_errors = count
    job_list = list(jobs.values())
    by_id = {j.job_id: j for j in job_list}
    for finished in job_list:
        if finished.status is not F:
            continue
        assert finished.job_id is not None
        ready = jobs_to_ready(finished.job_id, job_list, edges)
        for job in job_list:
            prereqs = [by_id[p] for j, p in edges if j == job.job_id]
            expected = (
                finished in prereqs
                and job.status is W
                and all(p.status is F and p.number_of_errors == 0 for p in prereqs)
            )
            assert (job.job_id in ready) == expected


def test_restart_refused_while_running() -> None:
    jobs, _ = stored_submission()  # A, B, C uploads are running
    with pytest.raises(RequestInvalid) as info:
        restart_plan(list(jobs.values()))
    assert (info.value.status, info.value.message) == (400, STILL_RUNNING)


def test_restart_revalidates_every_file_the_submission_has() -> None:
    everything_done = dict.fromkeys(jobs_keys(), F)
    jobs, _ = stored_submission({**everything_done, "D2_upload": X, "D2_validation": W})
    jobs["B_upload"].filename = None  # cannot happen for A-C; treated as "no file"
    plan = restart_plan(list(jobs.values()))
    by_key = {key: plan.statuses[_id(jobs, key)] for key in jobs}
    assert by_key == {
        "A_upload": F,
        "A_validation": RD,
        "B_upload": W,
        "B_validation": W,
        "C_upload": F,
        "C_validation": RD,
        "D1_upload": F,  # quirk 19: a generated D file is kept and revalidated
        "D1_validation": RD,
        "D2_upload": RD,  # no file: ready to be generated
        "D2_validation": W,
        "E_upload": W,
        "F_upload": W,
        CROSS_FILE: W,
    }
    assert plan.enqueue == tuple(_id(jobs, k) for k in ("A_validation", "C_validation", "D1_validation"))


def test_apply_restart_moves_jobs_through_the_table_and_resets_publishable() -> None:
    jobs, _ = stored_submission({**dict.fromkeys(jobs_keys(), F), "D2_upload": X})
    jobs["D2_upload"].error_message = "FPDS down"
    sub = Submission(None, None, publishable=True, submission_id=5)
    plan = restart_plan(list(jobs.values()))
    apply_restart(plan, sub, list(jobs.values()), LATER)
    assert {k: j.status for k, j in jobs.items()} == {k: plan.statuses[_id(jobs, k)] for k in jobs}
    assert jobs["A_upload"].updated_at == NOW  # kept as it was
    assert jobs["A_validation"].updated_at == LATER
    assert jobs["D2_upload"].error_message is None
    assert (sub.publishable, sub.updated_at) == (False, LATER)  # quirk 18


def test_reupload_plan_checks() -> None:
    with pytest.raises(RequestInvalid) as info:
        reupload_plan([])
    assert info.value.message == ONE_FILE_REQUIRED
    with pytest.raises(ValueError, match="D1"):
        reupload_plan([FileType.A, FileType.D1])
    assert reupload_plan([FileType.B, FileType.B]).file_types == {FileType.B}


def test_apply_reupload() -> None:
    jobs, _ = stored_submission(dict.fromkeys(jobs_keys(), F))
    b_val = jobs["B_validation"]
    b_val.number_of_errors, b_val.number_of_warnings, b_val.file_size, b_val.number_of_rows = 4, 2, 100, 9
    apply_reupload(
        reupload_plan([FileType.B]), list(jobs.values()), {FileType.B: ("5/9_b2.csv", "b2.csv")}, LATER
    )
    assert jobs["B_upload"].status is RU
    assert (jobs["B_upload"].filename, jobs["B_upload"].original_filename) == ("5/9_b2.csv", "b2.csv")
    assert (b_val.status, b_val.filename, b_val.original_filename) == (W, "5/9_b2.csv", "b2.csv")
    assert (b_val.number_of_errors, b_val.number_of_warnings, b_val.file_size, b_val.number_of_rows) == (
        0,
        0,
        None,
        None,
    )
    assert jobs[CROSS_FILE].status is W
    untouched = [k for k in jobs if not k.startswith("B") and k != CROSS_FILE]
    assert all(jobs[k].status is F and jobs[k].updated_at == NOW for k in untouched)
