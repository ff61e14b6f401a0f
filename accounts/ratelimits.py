"""How long a reader waits after one of allauth's rate limits (settings.ACCOUNT_RATE_LIMITS).

allauth's windows slide, so the longest window of an action's rates is an honest upper bound
of the wait: the page says that, not "later".
"""

from django.conf import settings

UNIT_SECONDS = {"s": 1, "m": 60, "h": 60 * 60, "d": 24 * 60 * 60}

# The pages whose POSTs allauth limits, and the actions it counts there.
ACTIONS_BY_URL_NAME = {
    "account_login": ("login", "login_failed"),
    "account_signup": ("signup",),
    "account_reset_password": ("reset_password",),
    "account_reset_password_from_key": ("reset_password_from_key",),
    "account_change_password": ("change_password",),
    "account_email": ("manage_email",),
    "account_reauthenticate": ("reauthenticate",),
    "account_confirm_email": ("confirm_email",),
    "account_email_verification_sent": ("confirm_email",),
}


def window_seconds(rate: str) -> int:
    """ "5/5m/key" -> 300; a duration without a number counts once ("5/m" -> 60)."""
    parts = rate.strip().split("/")
    if len(parts) < 2 or not parts[1] or parts[1][-1] not in UNIT_SECONDS:
        return 0
    number = parts[1][:-1]
    return (int(number) if number.isdigit() else 1) * UNIT_SECONDS[parts[1][-1]]


def longest_wait(actions: tuple[str, ...] | None = None) -> int:
    """Seconds until the slowest of these actions' limits lets a reader try again (every
    configured action when None)."""
    limits = settings.ACCOUNT_RATE_LIMITS
    names = actions if actions is not None else tuple(limits)
    rates = [rate for name in names for rate in (limits.get(name) or "").split(",")]
    return max((window_seconds(rate) for rate in rates), default=0)
