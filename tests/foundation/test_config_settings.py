"""Settings read from the environment: defaults, overrides and refusals (portal.config)."""

import pytest

from portal.config import ConfigError, load_config


@pytest.fixture
def testing_env(monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "testing")
    for name in ("PORTAL_MEMBER_IDLE_MINUTES", "PORTAL_PURGE_ABANDONED_AFTER_DAYS",
                 "EVIDENCE_RETENTION_DAYS", "PORTAL_PROXY_HOPS"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_members_are_signed_out_after_two_idle_hours_by_default(testing_env):
    config = load_config()
    assert config["MEMBER_IDLE_MINUTES"] == 120
    assert config["STAFF_IDLE_MINUTES"] == 30


def test_the_member_idle_limit_can_be_set(testing_env):
    testing_env.setenv("PORTAL_MEMBER_IDLE_MINUTES", "240")
    assert load_config()["MEMBER_IDLE_MINUTES"] == 240


def test_abandoned_records_are_purged_after_180_days_by_default(testing_env):
    from portal.calendar.purge import DEFAULT_AGE_DAYS

    assert load_config()["PURGE_ABANDONED_AFTER_DAYS"] == DEFAULT_AGE_DAYS == 180


def test_the_purge_age_can_be_set(testing_env):
    testing_env.setenv("PORTAL_PURGE_ABANDONED_AFTER_DAYS", " 400 ")
    assert load_config()["PURGE_ABANDONED_AFTER_DAYS"] == 400


def test_learning_records_are_kept_396_days_by_default(testing_env):
    assert load_config()["EVIDENCE_RETENTION_DAYS"] == 396


def test_the_learning_record_retention_can_be_set(testing_env):
    testing_env.setenv("EVIDENCE_RETENTION_DAYS", " 730 ")
    assert load_config()["EVIDENCE_RETENTION_DAYS"] == 730


def test_no_proxy_is_trusted_by_default(testing_env):
    assert load_config()["PROXY_HOPS"] == 0


@pytest.mark.parametrize("value, hops", [("0", 0), ("1", 1), (" 2 ", 2)])
def test_the_proxy_hops_can_be_set(testing_env, value, hops):
    testing_env.setenv("PORTAL_PROXY_HOPS", value)
    assert load_config()["PROXY_HOPS"] == hops


# (setting, its minimum, values refused). Retention and purge ages are at least 30 days, as
# `portal daily --purge-after-days`: a typo must not erase people who registered last week,
# or learning records still waiting for review.
WHOLE_NUMBERS = [
    ("PORTAL_MEMBER_IDLE_MINUTES", 1, ["0", "-5", "two hours", "1.5"]),
    ("PORTAL_PURGE_ABANDONED_AFTER_DAYS", 30, ["0", "-180", "six months", "180.5", "29"]),
    ("EVIDENCE_RETENTION_DAYS", 30, ["0", "-1", "13 months", "396.5", "29"]),
    ("PORTAL_PROXY_HOPS", 0, ["-1", "one", "1.0", "true"]),
]


@pytest.mark.parametrize(("name", "minimum", "value"), [
    (name, minimum, value) for name, minimum, values in WHOLE_NUMBERS for value in values])
def test_a_bad_whole_number_stops_start_up_naming_the_setting(testing_env, name, minimum,
                                                              value):
    testing_env.setenv(name, value)
    with pytest.raises(ConfigError) as error:
        load_config()
    assert str(error.value) == (f"{name} must be a whole number, {minimum} or more "
                                f"(it is {value!r})")


def test_bad_numbers_stop_create_app_with_the_setting_named(testing_env):
    from portal import create_app

    testing_env.setenv("PORTAL_PROXY_HOPS", "nginx")
    with pytest.raises(ConfigError, match="PORTAL_PROXY_HOPS"):
        create_app()


@pytest.mark.parametrize(("value", "on"), [(None, True), ("on", True), ("off", False),
                                           ("false", False), (" OFF ", False), ("0", False),
                                           ("no", False)])
def test_the_page_cache_is_on_unless_switched_off(testing_env, value, on):
    if value is not None:
        testing_env.setenv("PORTAL_PAGE_CACHE", value)
    else:
        testing_env.delenv("PORTAL_PAGE_CACHE", raising=False)
    assert load_config()["PAGE_CACHE"] is on
