"""The ⓘ texts: lupdate extracts every one from the UI layer, they say what the services
(and so the CLI and README) say, and the cards show them in the UI's language."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QTranslator

from primedist.services import reports
from primedist.ui.analytics import definitions
from primedist.ui.analytics.definitions import CONTEXT, TEXTS, definition


def test_lupdate_extracts_every_definition(tmp_path: Path) -> None:
    lupdate = Path(sys.executable).with_name("pyside6-lupdate")
    ts = tmp_path / "defs.ts"
    source = str(Path(definitions.__file__))
    subprocess.run([str(lupdate), source, "-ts", str(ts)], check=True, capture_output=True)
    found = {
        msg.findtext("source")
        for ctx in ET.parse(ts).getroot().iter("context")
        if ctx.findtext("name") == CONTEXT
        for msg in ctx.iter("message")
    }
    assert found == set(TEXTS.values())


def test_ui_texts_are_the_services_definitions() -> None:
    assert TEXTS == reports.DEFINITIONS


def test_definitions_follow_the_translator(qapp: object, tmp_path: Path) -> None:
    ts = tmp_path / "vi.ts"
    text = TEXTS["repeat_rate"]
    ts.write_text(
        '<?xml version="1.0" encoding="utf-8"?><!DOCTYPE TS><TS version="2.1" language="vi">'
        f"<context><name>{CONTEXT}</name><message><source>{text}</source>"
        "<translation>Tỷ lệ khách mua lại</translation></message></context></TS>",
        encoding="utf-8",
    )
    qm = tmp_path / "vi.qm"
    lrelease = Path(sys.executable).with_name("pyside6-lrelease")
    subprocess.run([str(lrelease), str(ts), "-qm", str(qm)], check=True, capture_output=True)
    translator = QTranslator()
    assert translator.load(str(qm))
    QCoreApplication.installTranslator(translator)
    try:
        assert definition("repeat_rate") == "Tỷ lệ khách mua lại"
        assert definition("revenue") == TEXTS["revenue"]  # untranslated: the English
        assert definition("nothing") == ""
    finally:
        QCoreApplication.removeTranslator(translator)
