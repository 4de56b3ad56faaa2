"""CVC re-collection over the API: a session for a saved card (`saved_card`), the CVC alone to the card's PSP
(through the relay for Ecart Pay and Verifone), finalize -> the card ready to charge; the refusals and their
codes. Every exchange is checked against docs/openapi.yaml."""

import pytest
import requests

from panless.core.demo import CREDENTIALS
from tests.merchant.support import save_card
from tests.support.merchant import Shopper, checked
from tests.support.tokenize import browser_result, pick, post_card

SUPPORTED = ["juspay", "ecartpay", "verifone"]
CVC_FIELD = {"juspay": "card_security_code", "ecartpay": "cvc", "verifone": "cvv"}


def cvc_session(shopper, token, **body):
    r = checked(shopper.call("POST", "/api/sessions", json={"saved_card": token, **body}))
    assert r.status_code == 201, r.text
    return r.json()


def finalize(shopper, session, cvc="362"):
    response = post_card(session["target"], number="", cvc=cvc)
    assert response.ok, response.text
    return checked(shopper.call("POST", f"/api/sessions/{session['id']}/finalize",
                                json={"result": browser_result(session["target"], response)}))


@pytest.mark.parametrize("provider", SUPPORTED)
def test_a_saved_card_takes_a_fresh_cvc_and_is_ready_to_charge(shopper, provider):
    card = save_card(shopper, provider=provider)
    session = cvc_session(shopper, card["token"])
    assert (session["kind"], session["provider"]) == ("cvc", provider)
    assert session["saved_card"] == {k: card[k] for k in ("token", "brand", "last4", "exp_month", "exp_year")}
    assert session["target"]["card_fields"] == {"cvc": CVC_FIELD[provider]}  # the CVC alone leaves the browser
    r = finalize(shopper, session)
    assert r.status_code == 200, r.text
    ready = r.json()["card"]
    assert ready["token"] == card["token"] and ready["charge"]["token"]
    assert ready["charge"]["expires_at"] > card["created_at"]
    listed = checked(shopper.call("GET", "/api/cards")).json()["cards"]
    assert [c["charge"] for c in listed] == [ready["charge"]]  # recorded with the card
    again = finalize_again(shopper, session)
    assert again == ready  # a repeated finalize: the same card, the same charge
    view = checked(shopper.call("GET", f"/api/sessions/{session['id']}")).json()
    assert view["status"] == "completed" and view["charge"] == ready["charge"]


def finalize_again(shopper, session):
    r = checked(shopper.call("POST", f"/api/sessions/{session['id']}/finalize", json={"result": "ignored"}))
    assert r.status_code == 200, r.text
    return r.json()["card"]


def test_juspay_posts_the_stored_card_token_and_the_charge_is_its_15_minute_token(shopper):
    card = save_card(shopper, provider="juspay")
    session = cvc_session(shopper, card["token"])
    assert session["target"]["fields"]["stored_card_token"] == card["token"]
    charge = finalize(shopper, session).json()["card"]["charge"]
    assert charge["token"].startswith("ctkn_") and charge["expires_at"] - session["created_at"] <= 15 * 60 + 5


def test_ecartpay_gives_a_temporary_token_made_with_the_cvc(shopper, sandbox):
    card = save_card(shopper, provider="ecartpay")
    session = cvc_session(shopper, card["token"], options={"installments": 3})
    charge = finalize(shopper, session).json()["card"]["charge"]
    kept = requests.get(f"{sandbox.url}/ecartpay/_sandbox/tokens/{charge['token']}", timeout=10).json()
    assert (kept["cvc_supplied"], kept["permanent"], kept["source"], kept["installments"]) == (True, False,
                                                                                              "card_id", 3)
    assert charge["token"] != card["token"]


def test_verifone_holds_the_new_cvv_for_the_next_transaction(shopper, sandbox):
    card = save_card(shopper, provider="verifone")
    key = {"X-APIKEY": CREDENTIALS["verifone"]["API_KEY"]}

    def pay():
        r = requests.post(f"{sandbox.url}/verifone/v1/transaction", headers=key, timeout=10,
                          json={"account": "acc_1", "amount": 1000, "card": card["token"]})
        assert r.status_code == 201, r.text
        return r.json()["cvv_result"]

    assert pay() == "1" and pay() == "0"  # the CVV given at saving is spent by the first payment
    charge = finalize(shopper, cvc_session(shopper, card["token"])).json()["card"]["charge"]
    assert charge["token"] == card["token"]  # Verifone updates the card in place
    assert pay() == "1"


@pytest.mark.parametrize("provider", ["mangopay", "stax"])
def test_psps_without_cvc_recollection_refuse_it(shopper, provider):
    card = save_card(shopper, provider=provider)
    r = checked(shopper.call("POST", "/api/sessions", json={"saved_card": card["token"]}))
    assert r.status_code == 422
    assert (r.json()["error"]["code"], r.json()["error"]["field"]) == ("cvc_recollection_unsupported", "saved_card")


def test_a_card_of_another_customer_is_refused(shopper, merchant_server):
    card = save_card(shopper, provider="juspay")
    other = Shopper(merchant_server.url)
    r = checked(other.call("POST", "/api/sessions", json={"saved_card": card["token"]}))
    assert r.status_code == 404
    assert (r.json()["error"]["code"], r.json()["error"]["field"]) == ("card_not_found", "saved_card")


def test_a_removed_card_is_refused(shopper):
    card = save_card(shopper, provider="juspay")
    assert "charge" in finalize(shopper, cvc_session(shopper, card["token"])).json()["card"]
    removed = checked(shopper.call("DELETE", f"/api/cards/{card['token']}"))
    assert removed.status_code == 200 and "charge" not in removed.json()["card"]  # ready for nothing
    r = checked(shopper.call("POST", "/api/sessions", json={"saved_card": card["token"]}))
    assert r.status_code == 404 and r.json()["error"]["code"] == "card_not_found"


@pytest.mark.parametrize("body,status,code,field", [
    ({"saved_card": 5}, 400, "invalid_request", "saved_card"),
    ({"saved_card": "no spaces please"}, 400, "invalid_request", "saved_card"),
    ({"saved_card": "unknown-card"}, 404, "card_not_found", "saved_card"),
    ({"provider": "juspay", "brand": "visa"}, 400, "invalid_request", "brand"),
    ({"provider": "stax"}, 422, "invalid_request", "provider"),
    ({"options": {"temporary": True}}, 422, "invalid_request", "options.temporary"),
])
def test_bad_cvc_session_requests(shopper, body, status, code, field):
    card = save_card(shopper, provider="ecartpay")
    r = checked(shopper.call("POST", "/api/sessions", json={"saved_card": card["token"], **body}))
    assert r.status_code == status, r.text
    assert (r.json()["error"]["code"], r.json()["error"]["field"]) == (code, field)


@pytest.mark.parametrize("provider", ["ecartpay", "verifone"])
def test_a_receipt_of_a_card_save_does_not_finish_a_cvc_session(shopper, provider):
    """The relay's receipt names its operation: a new card's receipt is no fresh CVC for the saved one."""
    card = save_card(shopper, provider=provider)
    session = cvc_session(shopper, card["token"])
    other = shopper.session(provider=provider)
    response = post_card(other["target"], "4111111111111111", "1230", "362")
    r = checked(shopper.call("POST", f"/api/sessions/{session['id']}/finalize",
                             json={"result": browser_result(other["target"], response)}))
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_result"


@pytest.mark.parametrize("provider", SUPPORTED)
def test_a_wrong_cvc_is_the_psps_field_error(shopper, provider):
    card = save_card(shopper, provider=provider)
    session = cvc_session(shopper, card["token"])
    target = session["target"]
    response = post_card(target, number="", cvc="36")
    assert response.status_code in (400, 422)
    named = pick(response.json(), target["result"]["error_code_path"])  # what the form reads and maps
    assert target["errors"][named]["code"] == "invalid_cvc" and target["errors"][named]["field"] == "cvc"


@pytest.mark.parametrize("provider,extra", [("ecartpay", {"id": "ca_another"}), ("verifone", {"id": "another"}),
                                            ("verifone", {"card_number": "4111111111111111"})])
def test_the_browser_cannot_name_another_card_at_the_relay(shopper, provider, extra):
    """The saved card is in the relay ticket; the browser sends the CVC alone, or the relay refuses it."""
    card = save_card(shopper, provider=provider)
    target = cvc_session(shopper, card["token"])["target"]
    r = requests.post(target["url"], headers=target["headers"], json={CVC_FIELD[provider]: "362", **extra},
                      timeout=10)
    assert r.status_code == 400 and r.json()["error"]["code"] == "unknown_field"
