// The frame's first lines, inline at the top of its HTML so that they wait for no fetch (a classic script,
// not a module). While the bundle loads: have the session the embed described (docs/browser.md, "Starting
// early"), say hello to the checkout page (saying whether it gave the options), and keep what it sends for the
// bridge to check (frame.js replays it through the bridge). The bundle uses the session only when the options
// it starts with name the same key.
(() => {
  const html = document.documentElement.dataset;
  // The embed posted the start with this page's navigation: the server started the session, and the page
  // carries the key, the options (what a configure message would carry) and the session's answer. Else (a
  // checkout whose CSP allows no form post to this origin) they are in the fragment, and the session's request
  // goes first, before anything else here: `ready` waits for its answer longest.
  const given = new URLSearchParams(location.hash.slice(1));
  const early = (self.panlessEarly = { messages: [], key: html.key ?? given.get("key"), config: html.config ?? given.get("config") });
  // The checkout's customerToken, else (a mount without one) the one this page issued.
  const token = given.get("token") ?? html.customerToken;
  if (html.session) {
    early.join = Promise.resolve([{ ok: true, status: 201 }, JSON.parse(html.session)]); // as POST /api/sessions answers
  } else if (early.key && token && !html.key) {
    early.join = fetch("/api/sessions", { method: "POST", credentials: "omit", body: given.get("body"),
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json",
        "Idempotency-Key": early.key } })
      // Its body read as soon as it comes, while the bundle still loads: [the response, its JSON or null].
      .then(async (response) => [response, await response.json().catch(() => null)]);
    early.join.catch(() => {}); // the bundle reads the answer, or starts a session of its own
  }
  addEventListener("message", (early.keep = (event) => early.messages.push(event)));
  // A fragment is never sent to a server; it leaves the URL at once, so a reload starts a session of its own.
  if (location.hash) history.replaceState(null, "", location.pathname + location.search);
  // configured: the page or its fragment holds the options, so the checkout page need not send them again.
  const parentOrigin = document.documentElement.dataset.parentOrigin;
  parent.postMessage({ ns: "panless", v: 1, type: "hello", data: { configured: early.config != null } }, parentOrigin);
})();
