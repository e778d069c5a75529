"""The security-key part of the second-factor pages (templates/mfa/_key_*.html): what the scripts
read from the page, built where the endpoints are (work/mfa_webauthn.py)."""

from typing import Any

from django import template

from tsunagu.work import mfa_webauthn

register = template.Library()


@register.simple_tag(takes_context=True)
def webauthn_config(context: Any) -> dict[str, Any]:
    return mfa_webauthn.script_config(context["request"])


@register.simple_tag
def webauthn_messages() -> dict[str, str]:
    return mfa_webauthn.script_messages()
