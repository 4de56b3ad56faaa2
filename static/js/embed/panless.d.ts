// Types for static/js/embed/panless.js, the Panless embed for checkout pages.

export type Field = "name" | "number" | "expiry" | "cvc";

export interface MountOptions {
  /** Origin of the Panless app serving the card frame; defaults to the origin this script came from. */
  origin?: string;
  /** Signed customer token issued by the merchant backend (panless.issue_customer_token). With it, the frame
   *  starts the card session before its scripts have loaded ("Starting early" in docs/browser.md). */
  customerToken?: string;
  /** With customerToken: a single-use code for the same customer, issued with it by the merchant backend
   *  (panless.issue_redirect_code, valid 10 minutes). The frame's URL carries it, and the Panless server starts
   *  the card session as it sends the frame's page, sooner still. A used or refused code costs nothing but
   *  that head start. */
  startCode?: string;
  /** The PSP to tokenize with when the merchant has several configured (default: PANLESS_PROVIDER): the name
   *  of one of the server's adapters (ADAPTERS in server/merchant/providers/__init__.py lists them). */
  provider?: string;
  /** Options of the PSP's session that the checkout decides, checked by the merchant app: Ecart Pay takes
   *  `installments` (3, 6, 9, 12 or 18), `fixed_installments` and `temporary` (a 15-minute token to pay now). */
  sessionOptions?: Record<string, number | boolean>;
  /** CVC re-collection: the token of one of the customer's saved cards. The form then asks for that card's
   *  security code alone (showing its brand and last 4), sends it straight to the card's PSP and reports the
   *  card ready to charge (`tokenized`, with `card.charge`). Juspay, Ecart Pay and Verifone UK Gateway do it;
   *  for a Mangopay or Stax card the start fails with `cvc_recollection_unsupported`, for a card that is not the
   *  customer's with `card_not_found`. */
  savedCard?: string;
  /** A language tag ("fr", "fr-CA", "pt-BR"); default: the browser's languages. Catalogues: en, fr, es, de,
   *  pt-BR, it, nl; another gives English and a console warning. */
  locale?: string;
  /** Theme, CSS variables and the button's label (docs/browser.md, "Appearance"). A refused value is named in
   *  the console and left at its default. */
  appearance?: {
    /** "light" (default), "dark", or "auto" (the shopper's prefers-color-scheme). */
    theme?: "light" | "dark" | "auto";
    /** Colours: any CSS colour (#hex, rgb(a), hsl(a), a name). Lengths: px, rem or em. */
    variables?: Partial<Record<
      | "colorPrimary" | "colorPrimaryText" | "colorText" | "colorTextSecondary" | "colorBackground"
      | "colorInputBackground" | "colorInputText" | "colorBorder" | "colorFocus" | "colorDanger" | "colorSuccess"
      | "borderRadius" | "spacing" | "fontSize" | "fontFamily", string>>;
    /** The button's text instead of "Save card" in the shopper's language (1 to 40 characters). */
    buttonLabel?: string;
  };
  /** Fields to show; number, expiry and cvc are always shown, "name" only when listed. Default: all. */
  fields?: Field[];
  /** Hide the frame's own button when the checkout calls submit() from its own button. Enter in the frame
   *  still submits, by the same path: the same `submit` then `tokenized` or `error` events, which is how the
   *  checkout learns the outcome of a submit it did not start. */
  hideButton?: boolean;
  /** Accessible title of the iframe. */
  title?: string;
  /** Milliseconds to wait for `ready` before an `error` with code "ready_timeout" (default 15000). */
  readyTimeout?: number;
}

export interface FieldState {
  empty: boolean;
  complete: boolean;
  valid: boolean;
}

export interface SavedCard {
  /** The PSP's reusable card token (Mangopay CardId). */
  token: string;
  /** Brand code for programs ("visa", "mastercard", "cb"). */
  brand: string;
  /** The brand as people read it ("Visa", "Mastercard"): show this one. */
  brand_name: string;
  last4: string;
  exp_month: number;
  exp_year: number;
  /** Only after a CVC re-collection (the `savedCard` option): what to charge the card with, until when. */
  charge?: Charge;
}

export interface Charge {
  /** Juspay: the /card/tokenize token; Ecart Pay: a temporary token; Verifone UK Gateway: the card's id. */
  token: string;
  /** Unix seconds: the PSP keeps the CVC until then (Verifone: or until one transaction uses it). */
  expires_at: number;
}

export interface PanlessErrorEvent {
  /** Stable code, e.g. invalid_number, card_refused, session_expired: the server's (docs/openapi.yaml), or one
   *  only the browser raises (BROWSER_CODES in static/js/shared/errors.js, e.g. validation_failed).
   *  Start-up failures (before `ready`; the console says what to fix): frame_parent_not_allowed,
   *  frame_same_origin, unauthenticated (customer token refused), panless_unreachable, checkout_csp_blocked,
   *  ready_timeout; with `savedCard`, card_not_found and cvc_recollection_unsupported. */
  code: string;
  message: string;
  field: Field | null;
}

export interface EventMap {
  ready: Record<string, never>;
  change: { brand: string | null; complete: boolean; fields: Partial<Record<Field, FieldState>> };
  focus: { field: Field };
  blur: { field: Field };
  submit: Record<string, never>;
  tokenized: { card: SavedCard; session: string };
  error: PanlessErrorEvent;
}

export interface CardElement {
  readonly frame: HTMLIFrameElement;
  /** A `ready` (or start-up `error`) handler added after the event is called at once. */
  on<E extends keyof EventMap>(event: E, handler: (data: EventMap[E]) => void): CardElement;
  off<E extends keyof EventMap>(event: E, handler: (data: EventMap[E]) => void): CardElement;
  /** Validates and tokenizes; resolves with the saved card, rejects with the error event. Before `ready` it
   *  rejects at once ({code: "not_ready"}); after a failed start, with the start-up error. */
  submit(): Promise<SavedCard>;
  focus(field: Field): void;
  clear(): void;
  destroy(): void;
}

export function mount(container: string | Element, options?: MountOptions): CardElement;

declare const Panless: { mount: typeof mount };
export default Panless;
