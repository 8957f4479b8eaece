"""The configuration file ``inbox serve --workers N`` hands its workers: owner-only, round-trips, clear errors."""

from __future__ import annotations

import os
import pathlib
import stat

import pytest

from heritage_kit.errors import ConfigurationError
from heritage_kit.inbox.serving import ENV_CONFIG, ServeConfig, app_from_env, read_config, write_config

PERIGUEUX = pathlib.Path(__file__).parents[2] / "content" / "perigueux"


def test_the_config_file_is_owner_only_and_round_trips(tmp_path):
    cfg = ServeConfig(database=str(tmp_path / "i.sqlite"), packs=[str(PERIGUEUX)], workers=2,
                      settings={"moderator_keys": {"a-moderator-key-0123456789": "alice"}, "submission_burst": 3})
    path = write_config(cfg, tmp_path / "serve.json")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # it holds the moderator keys
    assert read_config(path) == cfg


def test_the_factory_builds_the_configured_inbox(tmp_path, monkeypatch):
    cfg = ServeConfig(database=str(tmp_path / "i.sqlite"), packs=[str(PERIGUEUX)], workers=2,
                      settings={"submission_burst": 3})
    monkeypatch.setenv(ENV_CONFIG, str(write_config(cfg, tmp_path / "serve.json")))
    settled = []  # gc.freeze() would freeze this test process too: recorded instead
    monkeypatch.setattr("heritage_kit.inbox.serving.settle", lambda: settled.append(True))
    app = app_from_env()
    assert settled == [True]
    ctx = app.state.inbox
    try:
        assert ctx.settings.shared_rate_limits and ctx.settings.submission_burst == 3  # 2 workers: shared budgets
        assert list(ctx.services) == ["perigueux"]
    finally:
        ctx.storage.close()


def test_bad_or_missing_config_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_CONFIG, raising=False)
    with pytest.raises(ConfigurationError, match=ENV_CONFIG):
        app_from_env()
    bad = tmp_path / "bad.json"
    bad.write_text('{"database": "x", "nope": 1}', encoding="utf-8")
    with pytest.raises(ConfigurationError, match="not an inbox serve configuration"):
        read_config(bad)
    with pytest.raises(ConfigurationError, match="not an inbox serve configuration"):
        read_config(tmp_path / "missing.json")
    assert not os.path.exists(tmp_path / "missing.json")
