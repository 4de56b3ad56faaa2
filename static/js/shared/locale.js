// Which catalogue a language tag finds: one rule for the embed (it names the catalogue in the frame's URL, so
// the frame's import map pins that one alone) and the card form (which loads it). Each but English, the
// fallback in every bundle, is static/js/frame/i18n-<name>.js, loaded on demand.
export const LOCALES = ["en", "fr", "es", "de", "it", "nl", "pt-BR"];

// A tag's language's catalogue (one each: tests/static/test_locales.py): "fr-CA" -> "fr", "FR" -> "fr", "pt_br"
// and "pt" -> "pt-BR", "en-GB" -> "en"; undefined when there is none.
export const matchLocale = (tag) => LOCALES.find((name) => name.split("-")[0] == String(tag).split(/[-_]/)[0].toLowerCase());

// The option (a non-empty string), else the first of the browser's languages with a catalogue, else English.
export const pickLocale = (option, languages = navigator.languages) =>
  (typeof option == "string" && option ? [option] : languages).map(matchLocale).find(Boolean) ?? "en";
