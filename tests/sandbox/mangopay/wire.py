"""What the Mangopay sandbox tests send and expect: Mangopay's test cards, expiry dates, and the documented keys."""

from datetime import UTC, datetime

NOW = datetime.now(UTC)
FUTURE = f"12{(NOW.year + 3) % 100:02d}"
THIS_MONTH = f"{NOW.month:02d}{NOW.year % 100:02d}"
LAST_YEAR = f"12{(NOW.year - 1) % 100:02d}"
VISA = "4970107111111119"
AMEX = "375989111111119"
MAESTRO = "5033951000000004"
REGISTRATION_KEYS = ["Id", "Tag", "CreationDate", "UserId", "AccessKey", "PreregistrationData",
                     "RegistrationData", "CardId", "CardType", "CardRegistrationURL", "ResultCode",
                     "ResultMessage", "Currency", "Status"]
ERROR_KEYS = {"Message", "Type", "Id", "Date", "errors"}
