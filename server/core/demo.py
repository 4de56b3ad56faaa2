"""The published demo credentials: the merchant app's defaults and the sandbox's accepted values agree
on these out of the box. They are demo values, refused outside the demo (a real PSP, or forced HTTPS)."""

from __future__ import annotations

DEMO_SECRET_KEY = "panless-demo-secret-key-not-for-production"  # demo value: set PANLESS_SECRET_KEY

# PSP name -> its demo credentials; one entry per PSP.
CREDENTIALS: dict[str, dict[str, str]] = {
    "mangopay": {"CLIENT_ID": "panless-demo", "API_KEY": "panless-demo-key"},
    "juspay": {"MERCHANT_ID": "panless-demo", "API_KEY": "panless-demo-juspay-key"},
    "stax": {"MERCHANT_ID": "panless-demo", "API_KEY": "panless-demo-stax-key",
             "WEB_TOKEN": "panless-demo-webpayments"},
    "ecartpay": {"PUBLIC_KEY": "panless-demo-ecartpay-public", "PRIVATE_KEY": "panless-demo-ecartpay-private",
                 "RELAY_KEY": "panless-demo-relay-key-ecartpay"},
    "verifone": {"API_KEY": "panless-demo-verifone-key", "ORGANISATION": "panless-demo-organisation",
                 "RELAY_KEY": "panless-demo-relay-key-verifone"},
}
