// English strings of the hosted card page alone (title, saved cards, Cancel): in the hosted page's bundle, not
// the frame's. The other catalogues (i18n-*.js) have these keys too; i18n-en.js has the form's strings.

export default {
  "page.title": "Save a card",
  "page.note": "Your card details go straight to the payment provider; this site only keeps a token.",
  "page.saved_cards": "Your saved cards",
  "page.remove": "Remove",
  "page.remove_label": "Remove {card}",
  "page.removed": "(removed)",
  "page.cvc_title": "Confirm your card",
  "button.cancel": "Cancel and go back",
};
