// The frame's first lines, inline in its HTML so that they wait for no fetch (a classic script, not a
// module). While the bundle loads: say hello to the checkout page, keep what it sends for the bridge to check
// (frame.js replays it through the bridge and sends no second hello), and when the first configure names the
// session the embed started early (docs/browser.md, "Starting early"), send the same request at once. Only the
// parent window, from its origin, can start it; the bundle uses the answer only for the key it accepted.
(() => {
  const parentOrigin = document.getElementById("card-form").dataset.parentOrigin;
  const early = (self.panlessEarly = { messages: [] });
  addEventListener("message", (early.keep = (event) => {
    early.messages.push(event);
    const config = event.data?.type == "configure" && event.data.data;
    if (event.source != parent || event.origin != parentOrigin || early.key || !config?.sessionBody) return;
    early.key = config.sessionKey;
    early.join = fetch("/api/sessions", { method: "POST", credentials: "omit", body: config.sessionBody,
      headers: { Authorization: `Bearer ${config.customerToken}`, "Content-Type": "application/json",
        "Idempotency-Key": early.key } });
    early.join.catch(() => {}); // the bundle reads the answer, or starts a session of its own
  }));
  parent.postMessage({ ns: "panless", v: 1, type: "hello" }, parentOrigin);
})();
