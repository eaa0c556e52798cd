"""bench/reports.py: its COPY floor counts the rows each report writes; --limit cuts them."""

import importlib.util
import io
from pathlib import Path

import pytest
from django.db import connection

from reports.filters import ReportFilters
from reports.registry import REPORTS
from reports.services import write_report

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's"),
]
BENCH = Path(__file__).resolve().parent.parent / "bench"


def load(name):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench():
    return load("reports")


@pytest.fixture
def national_in_small(capsys):
    args = ["--yes", "--enterprises=80", "--products=240", "--enrolments=150"]
    assert load("generate").main([*args, "--course-enrolments=120", "--lab-bookings=100"]) == 0
    capsys.readouterr()


def test_copy_floor_gives_the_rows_each_report_writes(bench, national_in_small):
    measured = 0
    for slug, report in REPORTS.items():
        floor = bench.copy_floor(report, 1, ReportFilters())
        if floor is None:
            continue
        out = io.BytesIO()
        rows = write_report(report=report, fmt="csv", filters=ReportFilters(), out=out)
        assert rows > 0, slug
        assert floor[0] == rows, slug
        measured += 1
    assert measured


def test_limited_report_writes_only_its_first_rows(bench, national_in_small):
    report = REPORTS["enrolments"]
    cut = bench.limited(report, 15)
    out = io.BytesIO()
    assert write_report(report=cut, fmt="xlsx", filters=ReportFilters(), out=out) == 15
    assert cut.count(ReportFilters()) == 15
    assert report.count(ReportFilters()) == 150
    assert bench.copy_floor(cut, 1, ReportFilters())[0] == 15
