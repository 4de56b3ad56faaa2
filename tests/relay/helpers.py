"""Relay test helpers: a relay in front of a given PSP root, and the merchant app pointed at it."""

from panless.relay import create_app as create_relay
from tests.support import UNLIMITED, LiveServer, providers_on

RELAYED = ("ecartpay", "verifone")


def relay_config(psp_root: str, db: str = ":memory:", form_origins=(), **relay) -> dict:
    """The relay's configuration: every relayed PSP's upstream under psp_root (a sandbox or a replay)."""
    return {"RELAY": {"DB": db, "FORM_ORIGINS": list(form_origins), **relay},
            **{psp.upper(): {"BASE_URL": f"{psp_root}/{psp}"} for psp in RELAYED}}


def start_relay(psp_root: str, **kw) -> LiveServer:
    server = LiveServer(create_relay(relay_config(psp_root, **kw))).start()
    return server


def merchant_config(sandbox_url: str, relay_url: str) -> dict:
    config = {**providers_on(sandbox_url), **UNLIMITED}
    for psp in RELAYED:
        config[psp.upper()]["RELAY_URL"] = relay_url
    return config
