"""The reference for the time to a token: a merchant integrating Mangopay's browser kit by hand, without
Panless. Its checkout page registers the card from the browser as the kit does; the browser then tells this
server the CardId, and the server reads the card from the PSP and stores it (one SQLite write) before
answering: the minimal merchant step any kit integration needs."""

import json
import os
import secrets
import sqlite3
import threading
import time

import requests
from flask import Flask, abort, jsonify, request
from requests.adapters import HTTPAdapter

BASE = os.environ["PANLESS_MANGOPAY__BASE_URL"].rstrip("/") + "/"
KIT_BASE = BASE.rstrip("/").rsplit("/", 1)[0]  # the kit's baseURL: the API root, without the version
CLIENT, KEY = os.environ.get("PLAIN_CLIENT_ID", "panless-demo"), os.environ.get("PLAIN_API_KEY", "panless-demo-key")
DB = os.environ["PLAIN_DATABASE"]
app, http, local, token = Flask("kit-merchant"), requests.Session(), threading.local(), {"value": None, "until": 0.0}
token_lock = threading.Lock()
# One retry, as a careful integration has: the sandbox may close a kept-alive connection as it is reused.
http.mount("http://", HTTPAdapter(max_retries=requests.adapters.Retry(total=1, allowed_methods=None)))
# The kit's two wire requests, reproduced in a few lines of our own (the kit, github.com/Mangopay/
# cardregistration-js-kit, cannot be fetched offline and is not copied here): (a) the card to the
# CardRegistrationURL with data and accessKeyRef, answered with text `data=...`; (b) that whole text as
# RegistrationData to {baseURL}/v2/{clientId}/CardRegistrations/{Id}, unauthenticated, both form-encoded
# XMLHttpRequests. Then the CardId to this server.
PAGE = """<!doctype html><meta charset=utf-8><title>kit checkout</title>
<form id=pay><input id=number><input id=expiry placeholder=MMYY><input id=cvc></form><script>
const reg = %s;
function xhr(method, url, body, type) {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open(method, url);
    x.setRequestHeader('Content-Type', type);
    x.onload = () => x.status < 300 ? resolve(x.responseText) : reject(new Error(x.status + ' ' + x.responseText));
    x.onerror = () => reject(new Error('network'));
    x.send(body);
  });
}
const form = (fields) => new URLSearchParams(fields).toString();
const FORM = 'application/x-www-form-urlencoded';
window.kitSubmit = async () => {
  const v = (id) => document.getElementById(id).value;
  const data = await xhr('POST', reg.url, form({data: reg.data, accessKeyRef: reg.accessKeyRef,
    cardNumber: v('number'), cardExpirationDate: v('expiry'), cardCvx: v('cvc')}), FORM);
  const done = JSON.parse(await xhr('POST', reg.finish, form({Id: reg.id, RegistrationData: data}), FORM));
  if (done.ResultCode !== '000000') throw new Error('refused ' + done.ResultCode);
  return JSON.parse(await xhr('POST', '/cards', JSON.stringify({customer: reg.customer, cardId: done.CardId}),
                              'application/json'));
};
</script>"""


def db() -> sqlite3.Connection:
    if not hasattr(local, "db"):
        local.db = sqlite3.connect(DB, timeout=30)
        local.db.executescript("CREATE TABLE IF NOT EXISTS customers (id TEXT PRIMARY KEY, user_id TEXT);"
                               "CREATE TABLE IF NOT EXISTS cards (id TEXT PRIMARY KEY, customer TEXT, card TEXT)")
    return local.db


def mangopay(method: str, path: str, body: dict | None = None) -> dict:
    with token_lock:
        if token["until"] < time.time() + 60:
            answer = http.post(BASE + "oauth/token", auth=(CLIENT, KEY), data={"grant_type": "client_credentials"},
                               timeout=10).json()
            token.update(value=answer["access_token"], until=time.time() + answer["expires_in"])
    response = http.request(method, f"{BASE}{CLIENT}/{path}", json=body, timeout=10,
                            headers={"Authorization": f"Bearer {token['value']}"})
    response.raise_for_status()
    return response.json()


@app.get("/")
def checkout():
    """A checkout page with a fresh registration, made while the page loads, as kit integrations do."""
    customer = secrets.token_hex(8)
    user_id = mangopay("POST", "users/natural", {"FirstName": "Kit", "LastName": "Shopper", "UserCategory": "PAYER",
                                                 "Email": f"{customer}@shoppers.example.com",
                                                 "TermsAndConditionsAccepted": True})["Id"]
    reg = mangopay("POST", "cardregistrations",
                   {"UserId": user_id, "Currency": "EUR", "CardType": "CB_VISA_MASTERCARD"})
    with db():
        db().execute("INSERT INTO customers VALUES (?, ?)", (customer, user_id))
    return PAGE % json.dumps({"customer": customer, "id": reg["Id"], "url": reg["CardRegistrationURL"],
                              "data": reg["PreregistrationData"], "accessKeyRef": reg["AccessKey"],
                              "finish": f"{KIT_BASE}/v2/{CLIENT}/CardRegistrations/{reg['Id']}"})


@app.post("/cards")
def save_card():
    row = db().execute("SELECT user_id FROM customers WHERE id = ?", (request.json["customer"],)).fetchone()
    card = mangopay("GET", f"cards/{request.json['cardId']}")
    if row is None or card["UserId"] != row[0]:
        abort(404)  # not this customer's card
    with db():
        db().execute("INSERT OR IGNORE INTO cards VALUES (?, ?, ?)", (card["Id"], request.json["customer"],
                                                                       json.dumps(card)))
    return jsonify(card={"token": card["Id"], "last4": card["Alias"][-4:], "expiry": card["ExpirationDate"]})
