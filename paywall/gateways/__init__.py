"""Domestic payment gateways: VNPay, MoMo, ZaloPay. Each module signs requests, verifies
notifications and answers them in the gateway's own format; `order_confirm_payment`
does the bookkeeping."""

from django.conf import settings


def config(name: str) -> dict:
    return settings.PAYWALL_GATEWAYS[name]


def imitation_enabled() -> bool:
    """Local imitation payment pages: only in DEBUG (make run), never in production."""
    return bool(settings.DEBUG and getattr(settings, "PAYWALL_IMITATION_GATEWAYS", False))


GATEWAY_NAMES = ["vnpay", "momo", "zalopay"]


def module(name: str):
    from . import momo, vnpay, zalopay

    return {"vnpay": vnpay, "momo": momo, "zalopay": zalopay}[name]


class UntrustedAnswer(ValueError):
    """A gateway answer whose signature does not verify, or that is about another order:
    never acted upon."""
