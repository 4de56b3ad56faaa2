"""The sandbox's control endpoints (/_sandbox): reset, clock and health, and what they refuse."""

import pytest
import requests

from panless.sandbox.psps import EMULATORS
from tests.support.sandbox import TIMEOUT


@pytest.mark.parametrize("kw", [{"data": "advance=100"}, {"json": {"advance": 10**12}},
                                {"data": '{"advance": NaN}', "headers": {"Content-Type": "application/json"}},
                                {"json": {"advance": -1}}, {"json": {"advance": "1"}}])
def test_control_endpoints_take_json_and_sane_values(sandbox, kw):
    r = requests.post(f"{sandbox.url}/_sandbox/clock", timeout=TIMEOUT, **kw)
    assert r.status_code in (400, 415)
    assert requests.post(f"{sandbox.url}/_sandbox/reset", data="x", timeout=TIMEOUT).status_code == 415


def test_health_lists_every_psp_and_each_answers_in_its_own_error_shape(sandbox):
    health = requests.get(f"{sandbox.url}/_sandbox/health", timeout=TIMEOUT)
    assert health.status_code == 200 and health.json()["ok"] is True
    psps = health.json()["psps"]
    assert psps == sorted(emulator.name for emulator in EMULATORS)
    generic = requests.get(f"{sandbox.url}/no-such-room", timeout=TIMEOUT)
    assert generic.status_code == 404 and generic.json()["error"] == "not_found"
    for psp in psps:
        r = requests.get(f"{sandbox.url}/{psp}/no-such-resource", timeout=TIMEOUT)
        assert r.status_code == 404, psp
        assert r.headers["Content-Type"].startswith("application/json"), psp
        assert set(r.json()) != set(generic.json()), f"{psp} answered in the sandbox's generic shape"


def test_reset_clears_the_state_and_keeps_oauth_tokens(mp, sandbox):
    """Clients cache their OAuth token across tests: after a reset it still opens the API, onto empty state."""
    user = mp.user()
    assert requests.post(f"{sandbox.url}/_sandbox/reset", json={}, timeout=TIMEOUT).json() == {"reset": True}
    gone = mp.call("GET", f"/users/{user['Id']}")
    assert gone.status_code == 404 and gone.json()["Type"] == "ressource_not_found"


def test_clock_moves_forward_and_adds_up(sandbox):
    first = requests.post(f"{sandbox.url}/_sandbox/clock", json={"advance": 60}, timeout=TIMEOUT).json()["offset"]
    second = requests.post(f"{sandbox.url}/_sandbox/clock", json={"advance": 0.5}, timeout=TIMEOUT).json()["offset"]
    assert second == first + 0.5
