"""Settings read from the environment: defaults, overrides and refusals (portal.config)."""

import pytest

from portal.config import ConfigError, load_config


@pytest.fixture
def testing_env(monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "testing")
    for name in ("PORTAL_MEMBER_IDLE_MINUTES", "PORTAL_PURGE_ABANDONED_AFTER_DAYS",
                 "EVIDENCE_RETENTION_DAYS", "PORTAL_PROXY_HOPS",
                 "CREDENTIAL_RETIRED_PUBLIC_JWKS"):
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


# Retired credential signing keys (docs/deploy.md §8): public Ed25519 JWKs, still published.
def _public_jwk(**changes) -> dict:
    from joserfc.jwk import OKPKey

    jwk = OKPKey.generate_key("Ed25519", private=True).as_dict(private=False)
    jwk.update(changes)
    return {name: value for name, value in jwk.items() if value is not None}


def test_no_key_is_retired_by_default(testing_env):
    assert load_config()["CREDENTIAL_RETIRED_PUBLIC_JWKS"] == ()
    testing_env.setenv("CREDENTIAL_RETIRED_PUBLIC_JWKS", "  ")
    assert load_config()["CREDENTIAL_RETIRED_PUBLIC_JWKS"] == ()


def test_retired_keys_are_an_array_or_a_jwk_set(testing_env):
    import json

    first, second = _public_jwk(kid="ignored", alg="Ed25519", use="sig"), _public_jwk()
    for value in ([first, second], {"keys": [first, second]}):
        testing_env.setenv("CREDENTIAL_RETIRED_PUBLIC_JWKS", json.dumps(value))
        assert load_config()["CREDENTIAL_RETIRED_PUBLIC_JWKS"] == (first, second)
    testing_env.setenv("CREDENTIAL_RETIRED_PUBLIC_JWKS", "[]")
    assert load_config()["CREDENTIAL_RETIRED_PUBLIC_JWKS"] == ()


RETIRED_REFUSALS = [
    ('[{"kty": "OKP",', "CREDENTIAL_RETIRED_PUBLIC_JWKS is not valid JSON (line 1, column 16"),
    ("not json", "CREDENTIAL_RETIRED_PUBLIC_JWKS is not valid JSON"),
    ('{"kty": "OKP", "crv": "Ed25519", "x": "AAAA"}',
     "CREDENTIAL_RETIRED_PUBLIC_JWKS must be a JSON array of public JWKs or a JWK set"),
    ('"keys"', "CREDENTIAL_RETIRED_PUBLIC_JWKS must be a JSON array"),
    ('{"keys": {}}', "CREDENTIAL_RETIRED_PUBLIC_JWKS must be a JSON array"),
    ('["a key"]', "CREDENTIAL_RETIRED_PUBLIC_JWKS key 1 is not a JWK (a JSON object)"),
    (lambda: [_public_jwk(), _public_jwk(kty="RSA")],
     'CREDENTIAL_RETIRED_PUBLIC_JWKS key 2 must be an Ed25519 key ("kty": "OKP", "crv": '
     '"Ed25519")'),
    (lambda: [_public_jwk(crv="X25519")], "key 1 must be an Ed25519 key"),
    (lambda: [_public_jwk(x=None)], 'key 1 needs "x": the 32-byte public key, base64url'),
    (lambda: [_public_jwk(x="AAAA")], 'key 1 needs "x"'),
    (lambda: [_public_jwk(x="not base64url!")], 'key 1 needs "x"'),
    (lambda: [_public_jwk(x=12)], 'key 1 needs "x"'),
]


@pytest.mark.parametrize(("value", "message"), RETIRED_REFUSALS)
def test_bad_retired_keys_stop_start_up_saying_what_is_wrong(testing_env, value, message):
    import json

    testing_env.setenv("CREDENTIAL_RETIRED_PUBLIC_JWKS",
                       value if isinstance(value, str) else json.dumps(value()))
    with pytest.raises(ConfigError) as error:
        load_config()
    assert message in str(error.value)


def test_a_retired_private_key_is_refused_without_showing_it(testing_env):
    import json

    from joserfc.jwk import OKPKey

    private = OKPKey.generate_key("Ed25519", private=True).as_dict(private=True)
    testing_env.setenv("CREDENTIAL_RETIRED_PUBLIC_JWKS",
                       json.dumps({"keys": [_public_jwk(), private]}))
    with pytest.raises(ConfigError) as error:
        load_config()
    assert str(error.value).startswith(
        'CREDENTIAL_RETIRED_PUBLIC_JWKS key 2 holds a private key ("d"): publish only the '
        "public part")
    assert private["d"] not in str(error.value) and private["d"] not in repr(error.value)
    assert error.value.__cause__ is None and error.value.__context__ is None
    # Nor when the JSON around it is broken.
    testing_env.setenv("CREDENTIAL_RETIRED_PUBLIC_JWKS", json.dumps([private])[:-2])
    with pytest.raises(ConfigError) as error:
        load_config()
    assert "not valid JSON" in str(error.value) and private["d"] not in str(error.value)
