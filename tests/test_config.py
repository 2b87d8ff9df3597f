"""Settings are read once and a bad value fails before the first request, naming the setting."""

from __future__ import annotations

import pytest

from euspider import config


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"EUSPIDER_MIN_WORDS": "many"}, "EUSPIDER_MIN_WORDS='many': expected an integer"),
        ({"EUSPIDER_ARCHIVAL_DAYS": 0}, "EUSPIDER_ARCHIVAL_DAYS=0"),
        ({"EUSPIDER_MIN_DATE": "1990"}, "EUSPIDER_MIN_DATE='1990': expected a date"),
        ({"EUSPIDER_ENABLED": "maybe"}, "EUSPIDER_ENABLED='maybe': expected true or false"),
        ({"EUSPIDER_MIRROR": "/nonexistent"}, "EUSPIDER_MIRROR='/nonexistent': not a mirror folder"),
        (
            {"EUSPIDER_PROFILES": ["/nonexistent.toml"]},
            "EUSPIDER_PROFILES: /nonexistent.toml: cannot read site profile",
        ),
        ({"EUSPIDER_PROFILES": 5}, "EUSPIDER_PROFILES=5: expected a list"),
    ],
    ids=["words", "archival", "min-date", "enabled", "mirror", "profile-file", "profile-type"],
)
def test_bad_values_name_the_setting(settings, message):
    with pytest.raises(config.ConfigError) as info:
        config.load(settings)
    assert message in str(info.value)


def test_defaults_load():
    loaded = config.load({})
    assert loaded.enabled is True
    assert loaded.extract.dates.archival_days == 365
    assert loaded.mirror is None


def test_extra_profile_is_used_first(tmp_path):
    profile = tmp_path / "mysite.toml"
    profile.write_text('name = "mysite"\nhosts = ["mysite.example"]\n[remove]\npromo = [".promo"]\n')
    loaded = config.load({"EUSPIDER_PROFILES": [str(profile)]})
    assert loaded.extract.profiles[0].name == "mysite"


def test_bad_profile_regex_is_reported(tmp_path):
    profile = tmp_path / "bad.toml"
    profile.write_text('name = "bad"\nhosts = ["bad.example"]\n[urls]\narticle = ["(unclosed"]\n')
    with pytest.raises(config.ConfigError, match="bad regular expression"):
        config.load({"EUSPIDER_PROFILES": str(profile)})
