"""quality.md, "Reliability": 50 simulated applicants completing the whole wizard for 2 minutes against
gunicorn on PostgreSQL lose no save and meet no 5xx. The run is ``bench/wizard_soak.py`` (its own
code-server stand-in, database and gunicorn, as deployed); it checks every confirmed save in the
database afterwards and exits non-zero on any loss or unexpected status."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BACKEND, POSTGRES_ADMIN_URL

ROOT = Path(__file__).resolve().parent.parent


def run_bench(script: str, timeout: float) -> tuple[str, str]:
    """Run ``bench/<script>`` on the test run's PostgreSQL; (its output, the end of its output and
    errors for a failure message). Fails the test when it exits non-zero."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script)],
        cwd=ROOT,
        env={**os.environ, "BENCH_POSTGRES_URL": POSTGRES_ADMIN_URL},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    report = result.stdout[-4000:] + result.stderr[-4000:]
    assert result.returncode == 0, report
    return result.stdout, report


@pytest.mark.skipif(BACKEND != "postgresql", reason="gunicorn on PostgreSQL, as deployed")
def test_fifty_applicants_for_two_minutes_lose_no_save_and_meet_no_server_error():
    stdout, report = run_bench("wizard_soak.py", timeout=900)
    assert "5xx responses: 0; unexpected statuses: 0; lost saves: 0" in stdout, report
    sent = re.search(r"(\d+) applications started, (\d+) sent; (\d+) confirmed saves", stdout)
    assert sent and int(sent[2]) >= 50 and int(sent[3]) >= 500, report  # the load really ran


@pytest.mark.skipif(BACKEND != "postgresql", reason="gunicorn on PostgreSQL, as deployed")
def test_postgresql_restarted_under_load_errors_only_while_down_and_the_portal_recovers():
    """quality.md: "PostgreSQL restarted under load: errors only while it is down; the app recovers
    without a restart." ``bench/pg_restart.py`` stops and starts a PostgreSQL cluster of its own under
    gunicorn while browsers keep saving a step; it exits non-zero on a failure before the stop or after
    recovery, an answer other than the generic error page while down, a changed worker or a lost save."""
    stdout, report = run_bench("pg_restart.py", timeout=600)
    assert "problems: 0" in stdout, report
    phases = dict(
        re.findall(
            r"^(before the stop|while down \(until recovered\)|after recovery): (\d+) requests",
            stdout,
            re.M,
        )
    )
    assert int(phases["before the stop"]) >= 100 and int(phases["after recovery"]) >= 100, report
    failed_while_down = re.search(r"while down \(until recovered\): \d+ requests, (\d+) failed", stdout)
    assert failed_while_down and int(failed_while_down[1]) > 0, report  # PostgreSQL really was down
