// Labels and messages by locale. English is complete; a missing key falls back to English, and a
// server error without a translation keeps the server's own (English) message.

const en = {
  "label.name": "Name on card",
  "label.number": "Card number",
  "label.expiry": "Expiry date",
  "label.cvc": "Security code",
  "label.cvc_optional": "(optional for this card)",
  "label.postal": "ZIP / postal code",
  "button.pay": "Save card",
  network_error: "We could not reach the server. Check your connection and try again.",
  psp_unreachable: "The payment provider could not be reached. Check your connection and try again.",
  tokenization_failed: "The card could not be saved right now. Please try again.",
  number_required: "Enter the card number.",
  number_incomplete: "The card number is incomplete.",
  number_invalid: "This card number is not valid. Check the digits.",
  expiry_required: "Enter the expiry date as MM / YY.",
  expiry_invalid: "This expiry date is not valid. Use MM / YY.",
  expiry_past: "This card has expired.",
  cvc_required: "Enter the security code.",
  cvc_invalid: "The security code should be {size} digits.",
  name_required: "Enter the name on the card.",
  name_invalid: "Use the name as printed on the card (letters, spaces, hyphens, apostrophes).",
  validation_failed: "Check the highlighted fields.",
  postal_required: "Enter the billing ZIP or postal code.",
  postal_invalid: "This ZIP or postal code does not look right.",
};

const fr = {
  "label.name": "Nom sur la carte",
  "label.number": "Numéro de carte",
  "label.expiry": "Date d'expiration",
  "label.cvc": "Cryptogramme",
  "label.cvc_optional": "(facultatif pour cette carte)",
  "label.postal": "Code postal",
  "button.pay": "Enregistrer la carte",
  network_error: "Le serveur est injoignable. Vérifiez votre connexion et réessayez.",
  psp_unreachable: "Le prestataire de paiement est injoignable. Vérifiez votre connexion et réessayez.",
  tokenization_failed: "La carte n'a pas pu être enregistrée. Réessayez.",
  number_required: "Saisissez le numéro de carte.",
  number_incomplete: "Le numéro de carte est incomplet.",
  number_invalid: "Ce numéro de carte n'est pas valide. Vérifiez les chiffres.",
  expiry_required: "Saisissez la date d'expiration (MM / AA).",
  expiry_invalid: "Cette date d'expiration n'est pas valide. Utilisez MM / AA.",
  expiry_past: "Cette carte a expiré.",
  cvc_required: "Saisissez le cryptogramme.",
  cvc_invalid: "Le cryptogramme doit comporter {size} chiffres.",
  name_required: "Saisissez le nom figurant sur la carte.",
  name_invalid: "Saisissez le nom tel qu'il figure sur la carte.",
  validation_failed: "Vérifiez les champs signalés.",
  postal_required: "Saisissez le code postal de facturation.",
  postal_invalid: "Ce code postal ne semble pas correct.",
  invalid_number: "Ce numéro de carte n'est pas valide. Vérifiez les chiffres et réessayez.",
  invalid_expiry: "Cette date d'expiration n'est pas valide ou est dépassée.",
  invalid_cvc: "Ce cryptogramme n'est pas valide.",
  card_refused: "Votre banque a refusé cette carte. Essayez une autre carte ou contactez votre banque.",
  session_expired: "Le formulaire a expiré. Saisissez à nouveau votre carte.",
};

export const LOCALES = Object.freeze({ en, fr });

export function translator(locale = "en") {
  const table = LOCALES[String(locale).slice(0, 2)] ?? en;
  return (key, vars = {}, fallback = undefined) =>
    (table[key] ?? en[key] ?? fallback ?? key).replace(/\{(\w+)\}/g, (_, name) => vars[name] ?? "");
}
