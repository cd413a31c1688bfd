"""Fixtures of the report tests: the three-session chain of tests/reports/chain.py, and
exports written to a directory of each test's own."""

import pytest

from tests.reports.chain import Chain, ChainBuilder


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Exports go to a directory of the test's own."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def chain(db) -> Chain:
    """The chain, with no document built (the transitions' requests stay pending)."""
    return ChainBuilder().build()


@pytest.fixture
def chain_s2_built(db) -> Chain:
    """The chain, S2's documents built (every format) as soon as the transitions request
    them, as the worker would: S2's brief when its agenda is published (before S2's
    positions), its report when it concludes, against that brief."""
    return ChainBuilder(build_reports=("S2",)).build()
