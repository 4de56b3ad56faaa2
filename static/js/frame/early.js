// The frame's first lines, inline in its HTML so that they wait for no fetch (a classic script, not a
// module). While the bundle loads: say hello to the checkout page, keep what it sends for the bridge to check
// (frame.js replays it through the bridge and sends no second hello), and when the first configure names the
// session the embed started early (docs/browser.md, "Starting early"), ask this origin for it at once.
(() => {
  const parentOrigin = document.getElementById("card-form").dataset.parentOrigin;
  const early = (self.panlessEarly = { messages: [], key: null, join: null });
  early.keep = (event) => {
    early.messages.push(event);
    const config = event.data?.data;
    if (event.source !== parent || event.origin !== parentOrigin || event.data?.ns !== "panless" || early.key
      || event.data.type !== "configure" || typeof config?.customerToken !== "string"
      || typeof config.sessionBody !== "string" || !/^[A-Za-z0-9_-]{8,64}$/.test(config.sessionKey)) return;
    early.key = config.sessionKey;
    // The request the embed sent, under its key: the same session, with the target only this origin gets.
    early.join = fetch("/api/sessions", {
      method: "POST",
      credentials: "omit",
      headers: { Authorization: `Bearer ${config.customerToken}`, "Content-Type": "application/json",
        "Idempotency-Key": early.key },
      body: config.sessionBody,
    });
    early.join.catch(() => {}); // the form reads it, or starts a session of its own
  };
  addEventListener("message", early.keep);
  parent.postMessage({ ns: "panless", v: 1, type: "hello" }, parentOrigin);
})();
