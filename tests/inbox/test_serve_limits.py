"""With shared rate limits (``inbox serve --workers N``) every budget of one inbox lives in its database: two
processes' contexts over one database draw from the same buckets (submissions, wrong keys, desk sign-ins)."""

from __future__ import annotations

import pytest

from heritage_kit.inbox.http.deps import InboxContext
from heritage_kit.inbox.ratelimit import RateLimiter, SharedRateLimiter, make_limiter
from heritage_kit.inbox.service import InboxSettings
from heritage_kit.inbox.storage import open_storage


def _two_processes(tmp_path, **settings):
    """Two contexts as two workers would build them: each its own storage connection to one database file."""
    path = str(tmp_path / "inbox.sqlite")
    s = InboxSettings(shared_rate_limits=True, **settings)
    a, b = open_storage(path), open_storage(path)
    return InboxContext(storage=a, services={}, settings=s), InboxContext(storage=b, services={}, settings=s)


def test_every_budget_is_shared_when_asked(tmp_path):
    one, other = _two_processes(tmp_path, submission_burst=3)
    assert all(isinstance(x, SharedRateLimiter) for x in one.limiters.values())
    spent = [one.limiters["submit"].allow("device")[0], other.limiters["submit"].allow("device")[0],
             one.limiters["submit"].allow("device")[0], other.limiters["submit"].allow("device")[0]]
    assert spent == [True, True, True, False]  # 3 in total, not 3 per process
    assert other.limiters["submit"].wait("device") > 0 and other.limiters["submit"].wait("another") == 0


def test_failed_sign_ins_are_counted_across_processes(tmp_path):
    one, other = _two_processes(tmp_path)
    for _ in range(5):  # the per-account budget (5 at once)
        assert other.throttle.blocked("Ana", "198.51.100.1") == 0
        one.throttle.failed("ana", "198.51.100.1")
    assert other.throttle.blocked("ana", "203.0.113.9") > 0  # the other process refuses too, from any address


def test_one_process_keeps_its_budgets_in_memory(tmp_path):
    ctx = InboxContext(storage=open_storage(str(tmp_path / "i.sqlite")), services={}, settings=InboxSettings())
    assert all(isinstance(x, RateLimiter) for x in ctx.limiters.values())


def test_a_storage_without_buckets_cannot_share():
    with pytest.raises(TypeError, match="shared rate limits"):
        make_limiter(object(), "submit", per_hour=60, burst=20, shared=True)
