"""Configuration: the published demo secrets are refused once a real PSP or HTTPS is in play."""

import pytest

from panless import create_app
from panless.merchant.config import ConfigError


@pytest.mark.parametrize("config", [
    {"MANGOPAY": {"BASE_URL": "https://api.sandbox.mangopay.com/v2.01/"}},
    {"STAX": {"BASE_URL": "https://apiprod.fattlabs.com"}},
    {"FORCE_HTTPS": True},
])
def test_the_published_demo_secret_is_refused_outside_the_demo(config):
    with pytest.raises(ConfigError, match="PANLESS_SECRET_KEY"):
        create_app(config)
    real = {name: {**section, "API_KEY": "a-real-psp-key"} for name, section in config.items() if name != "FORCE_HTTPS"}
    assert create_app({**config, **real, "SECRET_KEY": "a-real-secret-0123456789abcdef"})


@pytest.mark.parametrize("psp, base_url", [("MANGOPAY", "https://api.sandbox.mangopay.com/v2.01/"),
                                           ("STAX", "https://apiprod.fattlabs.com")])
def test_published_demo_psp_credentials_are_refused_outside_the_demo(psp, base_url):
    with pytest.raises(ConfigError, match=f"PANLESS_{psp}__API_KEY"):
        create_app({psp: {"BASE_URL": base_url}, "SECRET_KEY": "a-real-secret-0123456789abcdef"})


@pytest.mark.parametrize("origins,public", [
    ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
    ("*", None), ("http://shop.example/path", None), ("shop.example", None),
])
def test_configuration_refuses_unsafe_checkout_origins(origins, public):
    with pytest.raises(ConfigError):
        create_app({"ALLOWED_ORIGINS": origins, "PUBLIC_URL": public})
