// The merchant API (docs/openapi.yaml). The customer token travels in a header, never in a cookie,
// so no other site can make these calls on the shopper's behalf.

import { PanlessError, clientError } from "./errors.js";

export class MerchantApi {
  constructor({ base = "", token }) {
    this.base = base;
    this.token = token;
  }

  async request(method, path, body, headers = {}) {
    let response;
    try {
      response = await fetch(this.base + path, {
        method,
        credentials: "omit",
        headers: { Authorization: `Bearer ${this.token}`, "Content-Type": "application/json", ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw clientError("network_error");
    }
    const data = await response.json().catch(() => null);
    if (!response.ok) throw new PanlessError(data?.error ?? { code: "network_error", retry: "same_session" });
    return data;
  }

  createSession({ currency, brand, provider }, idempotencyKey) {
    const body = { currency, ...(brand ? { brand } : {}), ...(provider ? { provider } : {}) };
    return this.request("POST", "/api/sessions", body, { "Idempotency-Key": idempotencyKey });
  }

  finalize(sessionId, result) {
    return this.request("POST", `/api/sessions/${encodeURIComponent(sessionId)}/finalize`, { result });
  }

  listCards() {
    return this.request("GET", "/api/cards");
  }

  deactivate(token) {
    return this.request("DELETE", `/api/cards/${encodeURIComponent(token)}`);
  }
}
