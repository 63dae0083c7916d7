"""In CI a skipped test is a failure unless its reason is expected (enabled by NEWSROOM_FAIL_ON_SKIP=1).

A test that skips because something is missing (the shared samples, Java, Redis, Chromium) proves
nothing, and a green run would hide that. Outside CI, in a fresh clone or on a laptop without
../shared/samples or Java, skips stay ordinary skips. Loaded from tests/conftest.py.
"""

import os

import pytest

# The one list of skips that are expected wherever the suite runs: the reason as the test gives it,
# and why it is not a gap.
EXPECTED_SKIPS = {
    "only a shared cache can be unreachable": "the local-memory variant of the Redis outage test",
}

ENABLED = os.environ.get("NEWSROOM_FAIL_ON_SKIP") == "1"


def skip_reason(report):
    """The reason a report was skipped for, as given to pytest.skip() or skipif (None if not skipped)."""
    if not report.skipped or hasattr(report, "wasxfail"):
        return None
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    return reason.removeprefix("Skipped: ")


class SkipCheck:
    def __init__(self):
        self.unexpected = []

    def record(self, report):
        reason = skip_reason(report)
        if reason is not None and reason not in EXPECTED_SKIPS:
            self.unexpected.append((report.nodeid, reason))

    def pytest_runtest_logreport(self, report):
        self.record(report)

    def pytest_collectreport(self, report):
        self.record(report)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session):
        if self.unexpected and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter):
        if not self.unexpected:
            return
        terminalreporter.section("unexpected skips (NEWSROOM_FAIL_ON_SKIP=1)", red=True, bold=True)
        for nodeid, reason in self.unexpected:
            terminalreporter.line(f"{nodeid}: {reason}", red=True)
        terminalreporter.line(
            f"{len(self.unexpected)} test(s) skipped for a reason not in tests/skips.py EXPECTED_SKIPS: "
            "install what they need, or add the reason there if the skip is truly expected.",
            red=True,
        )


def pytest_configure(config):
    if ENABLED:
        config.pluginmanager.register(SkipCheck(), "newsroom-skip-check")
