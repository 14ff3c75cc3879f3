"""The template language: values, sections, lists, escaping, and clear errors."""

from __future__ import annotations

import pytest

from primedist.printing.content import ITEM_NAMES, PLACEHOLDERS
from primedist.printing.errors import TemplateError
from primedist.printing.model import TEMPLATES
from primedist.printing.store import check_template, default_template
from primedist.printing.template import check, fill


def test_values_are_escaped_and_never_read_as_placeholders():
    out = fill(
        "<p>{{note}}</p><p>{{name}}</p>",
        {"note": '<script>alert(1)</script> {{total}} & "q"', "name": "Nến\nthơm"},
    )
    assert out == (
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; {{total}} &amp; &quot;q&quot;</p>"
        "<p>Nến<br>thơm</p>"
    )


def test_sections_show_repeat_and_invert():
    template = (
        "{{#phone}}Tel {{phone}};{{/phone}}{{^phone}}no phone;{{/phone}}"
        "{{#lines}}[{{name}} x{{qty}} of {{shop}}]{{/lines}}{{^lines}}empty{{/lines}}"
    )
    lines = [{"name": "A", "qty": "2"}, {"name": "<B>", "qty": "1"}]
    out = fill(template, {"phone": "0939", "lines": lines, "shop": "S"})
    assert out == "Tel 0939;[A x2 of S][&lt;B&gt; x1 of S]"
    assert fill(template, {"phone": "", "lines": [], "shop": "S"}) == "no phone;empty"


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("a\n{{staff_note}}", "Line 2: {{staff_note}} is not a known placeholder."),
        ("{{#lines}}{{total}}{{/lines}}\n{{name}}", "Line 2: {{name}} can only be used inside"),
        ("\n\n{{#lines}}{{name}}", "Line 3: the section {{#lines}} is never closed"),
        ("{{#lines}}{{/adjustments}}", "Line 1: {{/adjustments}} closes a section that is not"),
        ("{{/lines}}", "Line 1: {{/lines}} closes a section that is not open."),
        ("{{#nope}}x{{/nope}}", "Line 1: {{#nope}} is not a known placeholder."),
    ],
)
def test_errors_name_the_placeholder_and_line(template, message):
    with pytest.raises(TemplateError) as err:
        check_template(template)
    assert message in err.value.user_message


def test_item_names_only_inside_their_list():
    check_template("{{#lines}}{{name}} {{quantity}} {{total}}{{/lines}}")  # outer names too
    with pytest.raises(TemplateError):
        check_template("{{#adjustments}}{{quantity}}{{/adjustments}}")


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_shipped_templates_are_valid(name):
    html = default_template(name)
    check(html, PLACEHOLDERS, ITEM_NAMES)
    assert "{{#lines}}" in html and "{{order_number}}" in html


def test_staff_note_is_no_placeholder():
    assert "staff_note" not in PLACEHOLDERS
    assert all("staff_note" not in names for names in ITEM_NAMES.values())
