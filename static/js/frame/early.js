// The frame's first lines, inline at the top of its HTML so that they wait for no fetch (a classic script,
// not a module). While the bundle loads: take the session the server started with this page (a mount's start
// code), else start the one the embed described in this page's fragment (docs/browser.md, "Starting early"), say hello to the checkout page (saying whether the fragment held the
// options), and keep what it sends for the bridge to check (frame.js replays it through the bridge). The
// bundle uses the answer only when the options it starts with name the same key.
(() => {
  // The session's request first, before anything else here: `ready` waits for its answer longest.
  const given = new URLSearchParams(location.hash.slice(1));
  // config: the options a configure message would carry (frame.js starts the form with them).
  const early = (self.panlessEarly = { messages: [], key: given.get("key"), config: given.get("config") });
  const html = document.documentElement.dataset;
  // The checkout's customerToken, else (a mount without one) the one this page issued.
  const token = given.get("token") ?? html.customerToken;
  if (html.session) {
    // The server started it with this page (the mount's startCode): its answer, as POST /api/sessions gives it.
    early.join = Promise.resolve([{ ok: true, status: 201 }, JSON.parse(html.session)]);
  } else if (early.key && token) {
    early.join = fetch("/api/sessions", { method: "POST", credentials: "omit", body: given.get("body"),
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json",
        "Idempotency-Key": early.key } })
      // Its body read as soon as it comes, while the bundle still loads: [the response, its JSON or null].
      .then(async (response) => [response, await response.json().catch(() => null)]);
    early.join.catch(() => {}); // the bundle reads the answer, or starts a session of its own
  }
  addEventListener("message", (early.keep = (event) => early.messages.push(event)));
  // A fragment is never sent to a server; it leaves the URL at once, so a reload starts a session of its own.
  history.replaceState(null, "", location.pathname + location.search);
  const parentOrigin = document.documentElement.dataset.parentOrigin;
  // configured: the fragment holds the options, so the checkout page need not send them again in `configure`.
  parent.postMessage({ ns: "panless", v: 1, type: "hello", data: { configured: early.config != null } }, parentOrigin);
})();
