"""The tokenization relay for tests: in front of a PSP root (a sandbox or a replay), and the merchant app
configuration that points the relayed PSPs at it."""

from panless.relay import create_app as create_relay
from panless.relay.routes import PSPS as RELAYED

from . import UNLIMITED, LiveServer, providers_on


def relay_config(psp_root: str, db: str = ":memory:", form_origins=(), **relay) -> dict:
    """The relay's configuration: every relayed PSP's upstream under psp_root (a sandbox or a replay)."""
    return {"RELAY": {"DB": db, "FORM_ORIGINS": list(form_origins), **relay},
            **{psp.upper(): {"BASE_URL": f"{psp_root}/{psp}"} for psp in RELAYED}}


def start_relay(psp_root: str, **kw) -> LiveServer:
    return LiveServer(create_relay(relay_config(psp_root, **kw))).start()


def merchant_config(sandbox_url: str, relay_url: str) -> dict:
    """Every PSP at the sandbox, the relayed ones through the relay at relay_url."""
    config = {**providers_on(sandbox_url), **UNLIMITED}
    for psp in RELAYED:
        config[psp.upper()]["RELAY_URL"] = relay_url
    return config
