"""Submit-to-token through the tokenization relay, beside the same PSP call made bare (interleaved, medians).

Through the relay: the browser's post of the card to the session's target (the relay checks the ticket, adds
the PSP's secret, forwards, signs a receipt). Bare: the same card posted straight to the PSP's tokenization
endpoint with the secret already in hand, as a server holding the key would. The ratio is what the relay costs.
"""

from __future__ import annotations

import json
import statistics
import time

import requests

from panless.core.demo import CREDENTIALS
from panless.relay.routes import ROUTES

from .goals import Row
from .load import YY, customer_token

CARD = {"number": "4111111111111111", "exp_month": "12", "exp_year": f"20{YY}", "cvc": "123", "name": "Bench Shopper"}


def ecartpay_authorization(sandbox_url: str) -> str:
    keys = CREDENTIALS["ecartpay"]
    answer = requests.post(f"{sandbox_url}/ecartpay/api/authorizations/token", timeout=10,
                           auth=(keys["PUBLIC_KEY"], keys["PRIVATE_KEY"]))
    answer.raise_for_status()
    return answer.json()["token"]


def measure(stack, runs: int) -> dict:
    route = ROUTES[("ecartpay", "tokens")]
    http = requests.Session()
    headers = {"Authorization": f"Bearer {customer_token(stack.app_url)}"}
    bare_auth = {"Authorization": ecartpay_authorization(stack.sandbox_url), "Content-Type": "application/json"}
    relayed, bare = [], []
    for _ in range(runs + 2):  # the first two warm the connections and the relay's PSP token
        session = http.post(f"{stack.app_url}/api/sessions", json={"provider": "ecartpay"}, headers=headers,
                            timeout=30)
        session.raise_for_status()
        target = session.json()["target"]
        body = json.dumps({target["card_fields"][k] if k in target["card_fields"] else k: v
                           for k, v in CARD.items()}, separators=(",", ":"))
        started = time.perf_counter()
        through = http.post(target["url"], data=body, timeout=30,
                            headers={**target["headers"], "Content-Type": "application/json",
                                     "Origin": stack.app_url})
        relayed.append((time.perf_counter() - started) * 1000)
        assert through.status_code == 200 and "receipt" in through.json(), through.text
        started = time.perf_counter()
        direct = http.post(f"{stack.sandbox_url}/ecartpay{route.upstream_path}", timeout=30, headers=bare_auth,
                           data=json.dumps({**CARD, "tokenization": True}, separators=(",", ":")))
        bare.append((time.perf_counter() - started) * 1000)
        assert direct.status_code == 200 and "token" in direct.json(), direct.text
    relayed, bare = relayed[2:], bare[2:]
    p50_relayed, p50_bare = statistics.median(relayed), statistics.median(bare)
    return {"runs": runs, "psp": "ecartpay", "relayed_p50_ms": round(p50_relayed, 1), "bare_p50_ms": round(p50_bare, 1),
            "ratio_p50": round(p50_relayed / p50_bare, 2)}


def rows(stack, runs: int) -> list[Row]:
    r = measure(stack, runs)
    return [Row("Card to token through the relay / the same PSP call made bare (Ecart Pay, p50)",
                f"{r['relayed_p50_ms']:.0f} / {r['bare_p50_ms']:.0f} ms: **{r['ratio_p50']:.2f}**")]
