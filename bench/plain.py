"""The reference for the server's cost per flow: a plain Flask integration of Mangopay card registrations,
written by hand without Panless, making the same PSP calls and storing what it must (one SQLite write per
request, SQLite's default journal and synchronous settings). Run under gunicorn beside the merchant app."""

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
CLIENT, KEY = os.environ.get("PLAIN_CLIENT_ID", "panless-demo"), os.environ.get("PLAIN_API_KEY", "panless-demo-key")
DB = os.environ["PLAIN_DATABASE"]
app, http, local, token = Flask("plain"), requests.Session(), threading.local(), {"value": None, "until": 0.0}
token_lock = threading.Lock()
# One retry, as a careful integration has: the sandbox may close a kept-alive connection as it is reused.
http.mount("http://", HTTPAdapter(max_retries=requests.adapters.Retry(total=1, allowed_methods=None)))


def db() -> sqlite3.Connection:
    if not hasattr(local, "db"):
        local.db = sqlite3.connect(DB, timeout=30)
        local.db.executescript("CREATE TABLE IF NOT EXISTS customers (id TEXT PRIMARY KEY, user_id TEXT);"
                               "CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, customer TEXT, "
                               "registration TEXT, card TEXT)")
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


@app.post("/sessions")
def create_session():
    customer = request.headers["X-Customer"]
    row = db().execute("SELECT user_id FROM customers WHERE id = ?", (customer,)).fetchone()
    user_id = row[0] if row else mangopay("POST", "users/natural", {
        "FirstName": "Plain", "LastName": "Shopper", "Email": f"{customer}@shoppers.example.com",
        "UserCategory": "PAYER", "TermsAndConditionsAccepted": True})["Id"]
    registration = mangopay("POST", "cardregistrations", {"UserId": user_id, "Currency": "EUR",
                                                          "CardType": "CB_VISA_MASTERCARD"})
    session_id = secrets.token_hex(12)
    with db():  # one transaction: the session, and the customer's user the first time
        db().execute("INSERT OR IGNORE INTO customers VALUES (?, ?)", (customer, user_id))
        db().execute("INSERT INTO sessions VALUES (?, ?, ?, NULL)", (session_id, customer, registration["Id"]))
    return jsonify(id=session_id, url=registration["CardRegistrationURL"],
                   fields={"data": registration["PreregistrationData"], "accessKeyRef": registration["AccessKey"]})


@app.post("/sessions/<session_id>/finalize")
def finalize(session_id):
    row = db().execute("SELECT registration FROM sessions WHERE id = ? AND customer = ?",
                       (session_id, request.headers["X-Customer"])).fetchone()
    if row is None:
        abort(404)
    registration = mangopay("PUT", f"cardregistrations/{row[0]}", {"RegistrationData": request.json["result"]})
    if registration.get("Status") != "VALIDATED":
        abort(422)
    card = mangopay("GET", f"cards/{registration['CardId']}")
    with db():
        db().execute("UPDATE sessions SET card = ? WHERE id = ?", (json.dumps(card), session_id))
    return jsonify(card={"token": card["Id"], "last4": card["Alias"][-4:], "expiry": card["ExpirationDate"]})
