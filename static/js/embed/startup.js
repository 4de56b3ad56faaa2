// Why the card form did not start, and what the checkout's developer should do about it (docs/browser.md,
// "Start-up failures"). Loaded by the embed only once start-up fails: a checkout that starts never fetches it.

// What to do about each start-up failure: the console says it.
const FIX = {
  frame_parent_not_allowed: (o) => `add ${location.origin} to PANLESS_ALLOWED_ORIGINS on the Panless server at ${o} `
    + "(an exact origin: http://localhost and http://127.0.0.1 are different origins).",
  frame_same_origin: () => "serve the checkout page from another origin than the Panless server.",
  unauthenticated: () => "the customerToken was refused (expired, or signed with another secret): issue a fresh one "
    + "on your backend with panless.issue_customer_token for each page view.",
  panless_unreachable: (o) => `nothing answers at ${o}: the origin option must be the Panless server's origin `
    + "(scheme, host and port), and that server must be running.",
  checkout_csp_blocked: (o, d) => `this page's Content-Security-Policy blocks ${o} (${d}): allow it in frame-src, `
    + "script-src and connect-src.",
  card_not_found: () => "the savedCard option must be the token of an active saved card of this customerToken's customer.",
  cvc_recollection_unsupported: () => "this saved card's PSP cannot take a new security code (README, \"CVC "
    + "re-collection\"): leave savedCard out for it.",
  ready_timeout: (o, ms) => `the card form at ${o} was not ready after ${ms} ms: check the network panel for /frame.`,
};

// The words of a failure the embed noticed itself (the frame's and the server's errors come with their own).
const MESSAGE = {
  panless_unreachable: (o) => `The Panless server at ${o} cannot be reached.`,
  checkout_csp_blocked: () => "This page's Content-Security-Policy blocks the card form.",
  ready_timeout: () => "The card form did not start in time.",
};

// Why the card form did not start, reported as failed(error, say), `say` telling the console what to fix. `why`:
// the frame's error, a CSP violation that names the Panless origin, the milliseconds waited in vain for `ready`,
// or nothing (the frame loaded and said nothing). The last two ask the server, which may know the cause.
export async function trouble(origin, failed, why) {
  let { code, message } = why ?? {};
  let detail = why;
  if (why?.blockedURI) {
    [code, detail] = ["checkout_csp_blocked", why.effectiveDirective];
  } else if (!code) {
    // Nothing answers: after a moment, as a refusal by the page's own CSP is reported just after the fetch it
    // blocked fails, and names the cause better.
    const error = await diagnose(origin).catch(() => new Promise((done) => setTimeout(done, 100,
      { code: "panless_unreachable" })));
    if (error) ({ code, message } = error);
    else if (why) code = "ready_timeout";
    else return;
  }
  message ??= MESSAGE[code]?.(origin) ?? "The card form could not start.";
  failed({ code, message, field: null },
    () => console.error(`Panless: ${message} To fix: ${FIX[code]?.(origin, detail) ?? "see docs/browser.md."}`));
}

// The server's answer to why a frame did not start on this page (a refused origin, say), if it knows one.
async function diagnose(origin) {
  const answer = await fetch(`${origin}/frame/check?parent=${encodeURIComponent(location.origin)}`,
    { credentials: "omit", referrerPolicy: "no-referrer", signal: AbortSignal.timeout(5000) });
  return (await answer.json()).error;
}
