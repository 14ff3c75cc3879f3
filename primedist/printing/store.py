"""Stored printing settings (app_settings rows): edited templates, the printer profile of
each document type, and the shop details printed at the top of documents.

Keys: `printing.template.<name>` (the edited HTML; no row = the shipped default),
`printing.profiles` ({doc type: profile}), and the shop details in `shop.profile` next to
the shop name the first-run setup stores there.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from primedist.core.messages import msg
from primedist.core.text import clean_line
from primedist.domain.enums import Module
from primedist.printing.content import ITEM_NAMES, PLACEHOLDERS, ShopDetails
from primedist.printing.model import (
    DocumentType,
    PrintProfile,
    TemplateSpec,
    default_profile,
    template_spec,
)
from primedist.printing.template import check
from primedist.services.app_settings import SHOP_PROFILE, get_setting, put_setting
from primedist.services.context import ServiceContext

TEMPLATE_KEY = "printing.template."
PROFILES_KEY = "printing.profiles"
MAX_TEMPLATE_CHARS = 200_000


@cache
def default_template(name: str) -> str:
    """The shipped HTML of a template (package data)."""
    spec = template_spec(name)
    return (resources.files("primedist.printing") / "templates" / spec.file).read_text("utf-8")


def check_template(html: str) -> None:
    """Raise TemplateError when the template has bad syntax or unknown placeholders."""
    check(html, PLACEHOLDERS, ITEM_NAMES)


def load_template(ctx: ServiceContext, name: str) -> str:
    """The template as the shop uses it: its edited copy, else the default."""
    template_spec(name)
    with ctx.uow() as session:
        stored = get_setting(session, TEMPLATE_KEY + name)
    return stored if isinstance(stored, str) and stored.strip() else default_template(name)


def is_customised(ctx: ServiceContext, name: str) -> bool:
    with ctx.uow() as session:
        return get_setting(session, TEMPLATE_KEY + name) is not None


def save_template(ctx: ServiceContext, name: str, html: str) -> None:
    """Keep an edited template (checked first: nothing is saved when it is broken)."""
    from primedist.errors import ValidationError

    ctx.require(Module.SETTINGS)
    template_spec(name)
    if len(html) > MAX_TEMPLATE_CHARS:
        raise ValidationError(
            msg(
                "The template is too long ({length} characters; at most {limit}).",
                length=len(html),
                limit=MAX_TEMPLATE_CHARS,
            ),
            field="template",
        )
    check_template(html)
    with ctx.uow() as session:
        put_setting(ctx, session, TEMPLATE_KEY + name, html)


def reset_template(ctx: ServiceContext, name: str) -> str:
    """Go back to the shipped template; returns it."""
    ctx.require(Module.SETTINGS)
    template_spec(name)
    with ctx.uow() as session:
        if get_setting(session, TEMPLATE_KEY + name) is not None:
            put_setting(ctx, session, TEMPLATE_KEY + name, None)
    return default_template(name)


def load_profile(ctx: ServiceContext, doc_type: DocumentType) -> PrintProfile:
    """The printer, paper and template of a document type (defaults when never set)."""
    with ctx.uow() as session:
        stored = get_setting(session, PROFILES_KEY) or {}
    data = stored.get(doc_type.value) if isinstance(stored, dict) else None
    if not isinstance(data, dict):
        return default_profile(doc_type)
    return PrintProfile.from_json(doc_type, data)


def save_profile(ctx: ServiceContext, profile: PrintProfile) -> None:
    ctx.require(Module.SETTINGS)
    spec: TemplateSpec = template_spec(profile.template)
    if spec.doc_type != profile.doc_type:
        from primedist.errors import ValidationError

        raise ValidationError(
            msg(
                "The template {template} is not for {doc_type}.",
                template=repr(profile.template),
                doc_type=str(profile.doc_type.value),
            ),
            field="template",
        )
    with ctx.uow() as session:
        stored = get_setting(session, PROFILES_KEY) or {}
        profiles: dict[str, Any] = dict(stored) if isinstance(stored, dict) else {}
        profiles[profile.doc_type.value] = profile.to_json()
        put_setting(ctx, session, PROFILES_KEY, profiles)


def load_shop_details(ctx: ServiceContext) -> ShopDetails:
    with ctx.uow() as session:
        stored = get_setting(session, SHOP_PROFILE) or {}
    return ShopDetails.from_json(stored if isinstance(stored, dict) else {})


def save_shop_details(ctx: ServiceContext, details: ShopDetails) -> None:
    """Store the shop details (other keys of the shop profile are kept)."""
    from dataclasses import asdict

    from primedist.errors import ValidationError

    ctx.require(Module.SETTINGS)
    # One line each, without control or invisible characters; the logo's path as typed.
    values = {k: v.strip() if k == "logo_path" else clean_line(v)
              for k, v in asdict(details).items()}  # fmt: skip
    if not values["name"]:
        raise ValidationError(msg("The shop name is required."), field="name")
    with ctx.uow() as session:
        stored = get_setting(session, SHOP_PROFILE) or {}
        merged = dict(stored) if isinstance(stored, dict) else {}
        merged.update(values)
        put_setting(ctx, session, SHOP_PROFILE, merged)
