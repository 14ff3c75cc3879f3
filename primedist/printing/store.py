"""Stored printing settings (app_settings rows): edited templates, the printer profile of
each document type, and the shop details printed at the top of documents.

Keys: `printing.template.<name>` (the edited HTML; no row = the shipped default),
`printing.profiles` ({doc type: profile}), `printing.options` ({doc type: the Options
tab's choices}), and the shop details in `shop.profile` next to
the shop name the first-run setup stores there. The logo is a copy in the data folder.
"""

from __future__ import annotations

import html as html_text
import os
from contextlib import suppress
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from urllib.request import url2pathname

from primedist.core.messages import Message, msg
from primedist.core.tax_codes import tax_code_problem
from primedist.core.text import clean_line, clean_text
from primedist.domain.enums import Module
from primedist.errors import StoreError
from primedist.printing.content import (
    ITEM_NAMES,
    MAX_MESSAGE_CHARS,
    PLACEHOLDERS,
    DocOptions,
    ShopDetails,
    default_options,
)
from primedist.printing.errors import TemplateError
from primedist.printing.model import (
    PAPERS,
    DocumentType,
    PrintProfile,
    TemplateSpec,
    default_profile,
    template_spec,
)
from primedist.printing.template import TAG, Context, check, fill, image_sources
from primedist.services.app_settings import SHOP_PROFILE, get_setting, put_setting
from primedist.services.context import ServiceContext

TEMPLATE_KEY = "printing.template."
PROFILES_KEY = "printing.profiles"
OPTIONS_KEY = "printing.options"
MAX_TEMPLATE_CHARS = 200_000
#: Where a chosen logo is copied (relative to the data dir).
LOGO_DIR = "images/shop"
#: The placeholders that are an image's source (data URLs made when printing).
IMAGE_PLACEHOLDERS = frozenset(("shop_logo", "order_qr", "order_barcode"))


@cache
def default_template(name: str) -> str:
    """The shipped HTML of a template (package data)."""
    spec = template_spec(name)
    return (resources.files("primedist.printing") / "templates" / spec.file).read_text("utf-8")


def check_template(html: str) -> None:
    """Raise TemplateError when the template has bad syntax, unknown placeholders or an
    image that cannot print."""
    check(html, PLACEHOLDERS, ITEM_NAMES)
    _check_images(html)


def _check_images(html: str) -> None:
    """Each <img> must show: a web address, a relative path or a missing file drew a broken
    picture icon on every document (nothing is fetched from the network when printing)."""
    for line, source in image_sources(html):
        if not _image_source_loads(html_text.unescape(source).strip()):
            raise TemplateError(
                msg(
                    "Line {line}: the image {source} cannot be printed: use a picture file "
                    "on this computer (its full path) or {logo}.",
                    line=str(line),
                    source=source,
                    logo="{{shop_logo}}",
                )
            )


def _image_source_loads(source: str) -> bool:
    if placeholder := TAG.fullmatch(source):
        return not placeholder.group(1) and placeholder.group(2) in IMAGE_PLACEHOLDERS
    if source.lower().startswith("data:image/"):
        return True
    path = Path(url2pathname(urlparse(source).path) if source.lower().startswith("file:")
                else source)  # fmt: skip
    return path.is_absolute() and path.is_file()


def _trial_fill(html: str) -> None:
    """Fill `html` with every placeholder set and with every one empty (lists with an item,
    then none), as printing will: what fails here would fail at the till."""
    for full in (True, False):
        context: Context = {
            name: ([dict.fromkeys(ITEM_NAMES[name], "1")] if full else [])
            if name in ITEM_NAMES
            else ("1" if full else "")
            for name in PLACEHOLDERS
        }
        fill(html, context)


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
    if not html.strip():  # printing would use the shipped one, while "saved" said otherwise
        raise ValidationError(
            msg(
                "The template is empty. Write it, or press “Reset to default” to go back "
                "to the shipped template."
            ),
            field="template",
        )
    check_template(html)
    _trial_fill(html)
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
    from primedist.errors import ValidationError

    ctx.require(Module.SETTINGS)
    spec: TemplateSpec = template_spec(profile.template)
    if spec.doc_type != profile.doc_type:
        raise ValidationError(
            msg(
                "The template {template} is not for {doc_type}.",
                template=repr(profile.template),
                doc_type=str(profile.doc_type.value),
            ),
            field="template",
        )
    if profile.target.is_escpos and not PAPERS[profile.paper].dots:
        # Saved, it failed only at the till: a thermal printer rasterises a roll's width.
        raise ValidationError(
            msg(
                "Thermal (ESC/POS) printers print on rolls: choose Roll 80 mm or Roll 58 mm "
                "in Paper."
            ),
            field="paper",
        )
    with ctx.uow() as session:
        stored = get_setting(session, PROFILES_KEY) or {}
        profiles: dict[str, Any] = dict(stored) if isinstance(stored, dict) else {}
        profiles[profile.doc_type.value] = profile.to_json()
        put_setting(ctx, session, PROFILES_KEY, profiles)


def load_options(ctx: ServiceContext, doc_type: DocumentType) -> DocOptions:
    """The Options tab's choices for a document type (its defaults when never saved)."""
    with ctx.uow() as session:
        stored = get_setting(session, OPTIONS_KEY) or {}
    data = stored.get(doc_type.value) if isinstance(stored, dict) else None
    return DocOptions.from_json(doc_type, data) if isinstance(data, dict) else (
        default_options(doc_type))  # fmt: skip


def save_options(ctx: ServiceContext, doc_type: DocumentType, options: DocOptions) -> DocOptions:
    """Keep a document type's Options (audited as a settings change); returns them as kept:
    the message without control characters or blanks around it."""
    from dataclasses import replace

    from primedist.errors import ValidationError

    ctx.require(Module.SETTINGS)
    message = clean_text(options.message).strip()
    if len(message) > MAX_MESSAGE_CHARS:
        raise ValidationError(
            msg(
                "The thank-you message is too long ({length} characters; at most {limit}).",
                length=len(message),
                limit=MAX_MESSAGE_CHARS,
            ),
            field="message",
        )
    kept = replace(options, message=message)
    with ctx.uow() as session:
        stored = get_setting(session, OPTIONS_KEY) or {}
        all_options: dict[str, Any] = dict(stored) if isinstance(stored, dict) else {}
        all_options[doc_type.value] = kept.to_json()
        put_setting(ctx, session, OPTIONS_KEY, all_options)
    return kept


def load_shop_details(ctx: ServiceContext) -> ShopDetails:
    with ctx.uow() as session:
        stored = get_setting(session, SHOP_PROFILE) or {}
    return ShopDetails.from_json(stored if isinstance(stored, dict) else {})


def save_shop_details(ctx: ServiceContext, details: ShopDetails) -> None:
    """Store the shop details (other keys of the shop profile are kept). A logo must be an
    image Primedist reads; it is copied into the data folder (see `_keep_logo`)."""
    from dataclasses import asdict

    from primedist.errors import ValidationError

    ctx.require(Module.SETTINGS)
    # One line each, without control or invisible characters; the logo's path as typed.
    values = {k: v.strip() if k == "logo_path" else clean_line(v)
              for k, v in asdict(details).items()}  # fmt: skip
    if not values["name"]:
        raise ValidationError(msg("The shop name is required."), field="name")
    if problem := tax_code_problem(values["tax_code"]):  # printed on every invoice
        raise ValidationError(problem, field="tax_code")
    with ctx.uow() as session:
        stored = get_setting(session, SHOP_PROFILE) or {}
    # Only a newly chosen logo is checked and copied: the stored one may be missing on
    # this PC (a restored backup, another PC on a shared server), which must not block
    # saving a phone number; printing leaves a missing logo out.
    before = stored.get("logo_path") if isinstance(stored, dict) else None
    if values["logo_path"] and values["logo_path"] != before:
        values["logo_path"] = _keep_logo(ctx, values["logo_path"])
    with ctx.uow() as session:
        stored = get_setting(session, SHOP_PROFILE) or {}
        merged = dict(stored) if isinstance(stored, dict) else {}
        merged.update(values)
        put_setting(ctx, session, SHOP_PROFILE, merged)


def _keep_logo(ctx: ServiceContext, path: str) -> str:
    """The logo's path to store: the image checked (ValidationError naming the logo when it
    is missing or not an image Primedist reads), then copied to
    `<data dir>/images/shop/logo-<content hash>.<ext>` and stored relative to the data dir,
    so moving the data folder, or deleting or moving the original, keeps the logo. A logo
    already there is kept as it is; without a data dir (no settings) the checked path is."""
    from primedist.errors import ValidationError
    from primedist.services.product_images import absolute, prepare_image

    data_dir = Path(ctx.settings.data_dir) if ctx.settings is not None else None
    source = Path(path)
    if not source.is_absolute() and data_dir is not None:
        source = absolute(data_dir, path)
    try:
        image = prepare_image(source)
    except ValidationError as exc:
        # The path as typed (the refusal names only the file), and why, in the user's words.
        reason = exc.reason
        why = reason.values.get("why", reason) if isinstance(reason, Message) else reason
        raise ValidationError(
            msg("The logo {path} cannot be used: {why}", path=path, why=why), field="logo_path"
        ) from None
    if data_dir is None:
        return path
    relative = f"{LOGO_DIR}/logo-{image.digest}{image.ext}"
    target = absolute(data_dir, relative)
    if not target.exists():
        part = target.with_name(target.name + ".part")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            part.write_bytes(image.data)
            os.replace(part, target)
        except OSError as exc:  # a read-only or full disk, a file where the folder goes
            with suppress(OSError):
                part.unlink(missing_ok=True)
            raise StoreError(
                msg(
                    "The logo cannot be copied into the data folder ({folder}): {reason}",
                    folder=str(target.parent),
                    reason=exc.strerror or str(exc),
                )
            ) from None
    return relative
