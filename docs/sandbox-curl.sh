#!/usr/bin/env bash
# Register a card against the sandbox PSP with curl alone, as a Mangopay integration would.
# Usage: docs/sandbox-curl.sh [SANDBOX_ROOT]   (default http://127.0.0.1:8001; start it with `panless sandbox`)
set -euo pipefail
ROOT=${1:-http://127.0.0.1:8001}
API=$ROOT/mangopay/v2.01
CLIENT_ID=${PANLESS_MANGOPAY__CLIENT_ID:-panless-demo}
API_KEY=${PANLESS_MANGOPAY__API_KEY:-panless-demo-key}
EXPIRY=12$(( $(date +%y) + 3 ))   # MMYY, in the future
field() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }

# 1. OAuth2 client credentials
TOKEN=$(curl -sf -u "$CLIENT_ID:$API_KEY" -d grant_type=client_credentials "$API/oauth/token" | field access_token)
AUTH="Authorization: Bearer $TOKEN"
JSON="Content-Type: application/json"

# 2. The user who will own the card
USER_ID=$(curl -sf -H "$AUTH" -H "$JSON" -d '{"FirstName":"Jody","LastName":"Smith","Email":"jody@example.com"}' \
  "$API/$CLIENT_ID/users/natural" | field Id)

# 3. A card registration (the tokenization session)
REG=$(curl -sf -H "$AUTH" -H "$JSON" -H "Idempotency-Key: $(python3 -c 'import uuid; print(uuid.uuid4())')" \
  -d "{\"UserId\":\"$USER_ID\",\"Currency\":\"EUR\"}" "$API/$CLIENT_ID/cardregistrations")
REG_ID=$(echo "$REG" | field Id)
URL=$(echo "$REG" | field CardRegistrationURL)

# 4. What the browser does: post the card to the tokenization URL (no credentials) -> "data=..."
RESULT=$(curl -sf --data-urlencode "data=$(echo "$REG" | field PreregistrationData)" \
  --data-urlencode "accessKeyRef=$(echo "$REG" | field AccessKey)" \
  -d cardNumber=4970107111111119 -d cardExpirationDate=$EXPIRY -d cardCvx=123 "$URL")
echo "tokenizer answered: ${RESULT:0:20}..."

# 5. Finish the registration with the tokenizer's answer -> Status VALIDATED and a CardId
CARD_ID=$(curl -sf -X PUT -H "$AUTH" -H "$JSON" -d "{\"RegistrationData\":\"$RESULT\"}" \
  "$API/$CLIENT_ID/cardregistrations/$REG_ID" | field CardId)

# 6. The saved card: alias, expiry, fingerprint; never the number
curl -sf -H "$AUTH" "$API/$CLIENT_ID/cards/$CARD_ID"
echo
