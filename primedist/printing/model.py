"""Document types, papers, templates and printer targets (plain values, stored as JSON)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from enum import StrEnum
from typing import Any

from primedist.core.messages import msg
from primedist.errors import ValidationError


class DocumentType(StrEnum):
    RECEIPT = "receipt"
    INVOICE = "invoice"
    PACKING_SLIP = "packing_slip"


class Paper(StrEnum):
    ROLL_80 = "roll_80"
    ROLL_58 = "roll_58"
    A4 = "a4"
    A5 = "a5"


@dataclass(frozen=True)
class PaperSpec:
    """A paper's size and the area a printer can print on.

    Rolls have no height: each page is as tall as its content. Thermal printers cannot
    print the roll's edges, so a roll's margin leaves the printable width of a real
    printer (72 mm of an 80 mm roll = 576 dots at 203 dpi; 48 mm of 58 mm = 384 dots).
    """

    width_mm: float
    height_mm: float | None
    margin_mm: float
    #: The body text size of the templates for this paper.
    font_pt: float
    #: Raster width in dots for ESC/POS (0 = not a roll).
    dots: int = 0

    @property
    def is_roll(self) -> bool:
        return self.height_mm is None

    @property
    def printable_mm(self) -> float:
        return self.width_mm - 2 * self.margin_mm


PAPERS: dict[Paper, PaperSpec] = {
    Paper.ROLL_80: PaperSpec(80, None, 4, 8.5, dots=576),
    Paper.ROLL_58: PaperSpec(58, None, 5, 8, dots=384),
    Paper.A4: PaperSpec(210, 297, 12, 10),
    Paper.A5: PaperSpec(148, 210, 8, 9),
}


@dataclass(frozen=True)
class TemplateSpec:
    """A shipped template: its document type, its file and the paper it is made for."""

    name: str
    doc_type: DocumentType
    file: str
    paper: Paper


TEMPLATES: dict[str, TemplateSpec] = {
    t.name: t
    for t in (
        TemplateSpec("receipt_80", DocumentType.RECEIPT, "receipt_80.html", Paper.ROLL_80),
        TemplateSpec("receipt_58", DocumentType.RECEIPT, "receipt_58.html", Paper.ROLL_58),
        TemplateSpec("invoice_a4", DocumentType.INVOICE, "invoice.html", Paper.A4),
        TemplateSpec("invoice_a5", DocumentType.INVOICE, "invoice.html", Paper.A5),
        TemplateSpec("packing_slip", DocumentType.PACKING_SLIP, "packing_slip.html", Paper.A5),
    )
}


def template_spec(name: str) -> TemplateSpec:
    try:
        return TEMPLATES[name]
    except KeyError:
        raise ValidationError(
            msg(
                "There is no template named {name} (templates: {templates}).",
                name=repr(name),
                templates=", ".join(TEMPLATES),
            ),
            field="template",
        ) from None


def template_for(doc_type: DocumentType, name: str) -> TemplateSpec:
    """The template `name` for printing a `doc_type`: one of another document type is
    refused (`print packing-slip --template receipt_58` must not print a receipt)."""
    spec = template_spec(name)
    if spec.doc_type != doc_type:
        raise ValidationError(
            msg(
                "{template} is not a template for the {document} (its templates: {templates}).",
                template=name,
                document=doc_type.value.replace("_", " "),
                templates=templates_for(doc_type),
            ),
            field="template",
        )
    return spec


class TargetKind(StrEnum):
    #: A printer of the operating system (CUPS, the Windows spooler) by its queue name.
    SYSTEM = "system"
    #: An ESC/POS printer on the network (raw TCP, usually port 9100).
    NETWORK = "network"
    #: An ESC/POS printer on USB (vendor and product id).
    USB = "usb"
    #: An ESC/POS printer on a serial port.
    SERIAL = "serial"


@dataclass(frozen=True)
class PrintTarget:
    """Where a document goes. An empty system name = not chosen yet."""

    kind: TargetKind = TargetKind.SYSTEM
    name: str = ""
    host: str = ""
    port: int = 9100
    usb_vendor: int = 0
    usb_product: int = 0
    device: str = ""
    baudrate: int = 9600

    @property
    def is_escpos(self) -> bool:
        return self.kind != TargetKind.SYSTEM

    def describe(self) -> str:
        """How the target is named in messages."""
        if self.kind == TargetKind.NETWORK:
            return f"{self.host}:{self.port}"
        if self.kind == TargetKind.USB:
            return f"USB {self.usb_vendor:04x}:{self.usb_product:04x}"
        if self.kind == TargetKind.SERIAL:
            return f"{self.device} ({self.baudrate} baud)"
        return self.name

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PrintTarget:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["kind"] = TargetKind(known.get("kind", TargetKind.SYSTEM))
        return cls(**known)


def parse_host_port(text: str, default_port: int = 9100) -> PrintTarget:
    """`HOST[:PORT]` → a network ESC/POS target, with a clear message when it is not one."""
    host, sep, port_text = text.strip().rpartition(":")
    if not sep:
        host, port_text = port_text, str(default_port)
    if not host or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ValidationError(
            msg(
                "{address} is not a printer address: use HOST:PORT, e.g. 192.168.1.50:9100.",
                address=repr(text),
            ),
            field="escpos",
        )
    return PrintTarget(TargetKind.NETWORK, host=host, port=int(port_text))


@dataclass(frozen=True)
class PrintProfile:
    """How one document type is printed by default."""

    doc_type: DocumentType
    template: str
    paper: Paper
    target: PrintTarget = PrintTarget()
    #: Show the print preview first instead of printing straight away.
    preview: bool = False
    #: ESC/POS only: kick the cash drawer after the receipt.
    open_drawer: bool = False
    #: ESC/POS only: cut the paper after each document.
    cut: bool = True

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["target"] = self.target.to_json()
        return data

    @classmethod
    def from_json(cls, doc_type: DocumentType, data: dict[str, Any]) -> PrintProfile:
        base = default_profile(doc_type)
        template = data.get("template")
        if template not in TEMPLATES or TEMPLATES[template].doc_type != doc_type:
            template = base.template
        try:
            paper = Paper(data.get("paper", base.paper))
        except ValueError:
            paper = base.paper
        return replace(
            base,
            template=template,
            paper=paper,
            target=PrintTarget.from_json(data.get("target") or {}),
            preview=bool(data.get("preview", base.preview)),
            open_drawer=bool(data.get("open_drawer", base.open_drawer)),
            cut=bool(data.get("cut", base.cut)),
        )


def default_profile(doc_type: DocumentType) -> PrintProfile:
    template = next(t for t in TEMPLATES.values() if t.doc_type == doc_type)
    return PrintProfile(doc_type, template.name, template.paper)


def templates_for(doc_type: DocumentType) -> list[str]:
    return [t.name for t in TEMPLATES.values() if t.doc_type == doc_type]
