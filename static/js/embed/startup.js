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

export const fix = (code, origin, detail) => FIX[code]?.(origin, detail);

// Why the frame did not start, asked of the server: a refused origin, say. -> its error, if any; throws when
// nothing answers.
export async function diagnose(origin) {
  const answer = await fetch(`${origin}/frame/check?parent=${encodeURIComponent(location.origin)}`,
    { credentials: "omit", referrerPolicy: "no-referrer", signal: AbortSignal.timeout(5000) });
  return (await answer.json()).error;
}
