"""Configuration: the published demo secrets are refused once a real PSP or HTTPS is in play."""

import pytest

from panless import create_app
from panless.merchant.config import ConfigError

SECRET = "a-real-secret-0123456789abcdef-0123456789"


@pytest.mark.parametrize("config", [
    {"MANGOPAY": {"BASE_URL": "https://api.sandbox.mangopay.com/v2.01/"}},
    {"STAX": {"BASE_URL": "https://apiprod.fattlabs.com"}},
    {"FORCE_HTTPS": True},
])
def test_the_published_demo_secret_is_refused_outside_the_demo(config):
    with pytest.raises(ConfigError, match="PANLESS_SECRET_KEY"):
        create_app(config)
    real = {name: {**section, "API_KEY": "a-real-psp-key"} for name, section in config.items() if name != "FORCE_HTTPS"}
    only = {"PROVIDERS": [n.lower() for n in real], "PROVIDER": next(iter(real)).lower()} if real else {}
    assert create_app({**config, **real, **only, "SECRET_KEY": SECRET})


@pytest.mark.parametrize("psp, base_url", [("MANGOPAY", "https://api.sandbox.mangopay.com/v2.01/"),
                                           ("STAX", "https://apiprod.fattlabs.com")])
def test_published_demo_psp_credentials_are_refused_outside_the_demo(psp, base_url):
    with pytest.raises(ConfigError, match=f"PANLESS_{psp}__API_KEY"):
        create_app({psp: {"BASE_URL": base_url}, "SECRET_KEY": SECRET, "PROVIDERS": psp.lower(),
                    "PROVIDER": psp.lower()})


def test_a_real_psp_never_runs_beside_the_local_sandbox_and_only_the_named_psps_are_used():
    real = {"MANGOPAY": {"BASE_URL": "https://api.sandbox.mangopay.com/v2.01/", "API_KEY": "a-real-psp-key"},
            "SECRET_KEY": SECRET}
    with pytest.raises(ConfigError, match="PANLESS_PROVIDERS=mangopay"):
        create_app(real)  # the four others would stay live against 127.0.0.1, in the API and the CSP
    app = create_app({**real, "PROVIDERS": "mangopay"})
    assert list(app.extensions["panless_providers"]) == ["mangopay"]
    demo = create_app({"PROVIDERS": "juspay, stax", "PROVIDER": "stax"})
    assert list(demo.extensions["panless_providers"]) == ["juspay", "stax"]
    assert create_app({"PROVIDERS": "stax juspay"}).config["PROVIDER"] == "stax"  # the first named, by default
    assert create_app().config["PROVIDER"] == "mangopay"


@pytest.mark.parametrize("config, variable", [
    ({"PROVIDER": "mangopy"}, "PANLESS_PROVIDER"),
    ({"PROVIDERS": "stax", "PROVIDER": "mangopay"}, "PANLESS_PROVIDER"),
    ({"PROVIDERS": "mangopay paypal"}, "PANLESS_PROVIDERS"),
    ({"PROVIDERS": []}, "PANLESS_PROVIDERS"),
    ({"FORCE_HTTPS": "False"}, "PANLESS_FORCE_HTTPS"),
    ({"LOG_LEVEL": "verbose"}, "PANLESS_LOG_LEVEL"),
    ({"SECRET_KEY": "short"}, "PANLESS_SECRET_KEY"),
    ({"RATELIMIT_SESSIONS": "lots"}, "PANLESS_RATELIMIT_SESSIONS"),
])
def test_a_typo_in_the_configuration_is_named_at_start_up(config, variable):
    with pytest.raises(ConfigError, match=variable):
        create_app(config)


def test_an_all_digit_secret_is_a_string():
    # PANLESS_SECRET_KEY=1234... (no leading zero) is read as JSON: a number, which would sign nothing.
    app = create_app({"SECRET_KEY": 12345678901234567890123456789012345})
    assert app.config["SECRET_KEY"] == "12345678901234567890123456789012345"
    assert app.test_client().get("/pay").status_code == 200


@pytest.mark.parametrize("origins,public", [
    ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
    ("*", None), ("http://shop.example/path", None), ("shop.example", None),
])
def test_configuration_refuses_unsafe_checkout_origins(origins, public):
    with pytest.raises(ConfigError):
        create_app({"ALLOWED_ORIGINS": origins, "PUBLIC_URL": public})


def test_a_variable_no_service_reads_is_named_at_start_up(monkeypatch, caplog):
    monkeypatch.setenv("PANLESS_MANGOPAY_BASE_URL", "https://api.mangopay.com/v2.01/")  # one underscore
    monkeypatch.setenv("PANLESS_STAX__BASEURL", "https://apiprod.fattlabs.com")
    monkeypatch.setenv("PANLESS_RELAY__TIMEOUT", "5")  # the relay's: not the app's to question
    monkeypatch.setenv("PANLESS_MANGOPAY__MAX_CONCURRENT", "2")  # every PSP's section takes it
    monkeypatch.setenv("PANLESS_SESSION_COOKIE_DOMAIN", "pay.example.com")  # Flask's own
    with caplog.at_level("WARNING", logger="panless.config"):
        create_app()
    assert caplog.messages == [
        "PANLESS_MANGOPAY_BASE_URL is not a setting Panless reads, so it changes nothing; did you mean "
        "PANLESS_MANGOPAY__BASE_URL?",
        "PANLESS_STAX__BASEURL is not a setting of stax (it takes BASE_URL, TIMEOUT, MERCHANT_ID, API_KEY, WEB_TOKEN, "
        "MAX_CONCURRENT)"]
