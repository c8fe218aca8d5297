"""Every Word document Yingji writes comes from here: A4 with Chinese fonts, the organisation
and the document number in the header, "page X of Y" in the footer, a table of contents that
Word fills in on opening, and metadata that names the organisation, not the library."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
BODY_FONT = "SimSun"  # 宋体: present wherever Word is used in China; others substitute
HEADING_FONT = "SimHei"  # 黑体


class WordDocument:
    """A document being written: headings, paragraphs and tables, then `content()`."""

    def __init__(self, *, title: str, number: str, subject: str = "") -> None:
        self.doc = Document()
        self.title, self.number = title, number
        self._page_a4()
        self._fonts()
        self._header_and_footer()
        self._metadata(subject)

    # ---- writing

    def heading(self, text: str, level: int = 1) -> None:
        self.doc.add_heading(text, level=level)

    def paragraph(self, text: str) -> None:
        self.doc.add_paragraph(text)

    def lines(self, lines: Sequence[str]) -> None:
        """One paragraph a line; "—" when there is nothing, so a section is never blank."""
        kept = [line for line in lines if line.strip()]
        for line in kept or ["—"]:
            self.doc.add_paragraph(line)

    def facts(self, rows: Sequence[tuple[str, str]]) -> None:
        self.table(None, [(str(k), str(v) if v not in (None, "") else "—") for k, v in rows])

    def table(self, header: Sequence[str] | None, rows: Sequence[Sequence[str]]) -> Any:
        """The table written (None when there was nothing), for a caller that shades cells."""
        if not rows and header is None:
            self.doc.add_paragraph("—")
            return None
        width = len(header) if header else len(rows[0])
        table = self.doc.add_table(rows=0, cols=width)
        table.style = "Table Grid"
        for values in [*([header] if header else []), *rows]:
            for cell, value in zip(table.add_row().cells, values, strict=True):
                cell.text = str(value)
        if header:
            for cell in table.rows[0].cells:
                for run in cell.paragraphs[0].runs:
                    run.bold = True
        if not rows:
            self.doc.add_paragraph("—")
        return table

    def contents(self) -> None:
        """A table of contents (headings 1-2), filled in by Word when the file opens."""
        self.doc.add_paragraph(_("Contents"), style="Heading 1")
        paragraph = self.doc.add_paragraph()
        _field(paragraph, 'TOC \\o "1-2" \\h \\z \\u')
        settings_xml = self.doc.settings.element
        update = OxmlElement("w:updateFields")
        update.set(qn("w:val"), "true")
        settings_xml.append(update)

    def content(self) -> bytes:
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()

    def response(self, filename: str) -> HttpResponse:
        response = HttpResponse(self.content(), content_type=DOCX)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    # ---- the page

    def _page_a4(self) -> None:
        for section in self.doc.sections:
            section.page_width, section.page_height = Cm(21.0), Cm(29.7)
            section.left_margin = section.right_margin = Cm(2.6)
            section.top_margin, section.bottom_margin = Cm(3.0), Cm(2.5)

    def _fonts(self) -> None:
        for name, font, size in (
            ("Normal", BODY_FONT, 11),
            ("Title", HEADING_FONT, 20),
            ("Heading 1", HEADING_FONT, 15),
            ("Heading 2", HEADING_FONT, 13),
        ):
            style = self.doc.styles[name]
            style.font.size = Pt(size)
            style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)

    def _header_and_footer(self) -> None:
        section = self.doc.sections[0]
        header = section.header.paragraphs[0]
        header.text = f"{settings.ORGANISATION_NAME} · {self.number}"
        header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        words = _("Page %(page)s of %(pages)s").split("%(")
        for part in words:  # "第 {PAGE} 页，共 {NUMPAGES} 页" in any language's order
            if part.startswith("page)s"):
                _field(footer, "PAGE")
                part = part[len("page)s") :]
            elif part.startswith("pages)s"):
                _field(footer, "NUMPAGES")
                part = part[len("pages)s") :]
            if part:
                footer.add_run(part)

    def _metadata(self, subject: str) -> None:
        props = self.doc.core_properties
        props.title = self.title
        props.subject = subject
        props.author = props.last_modified_by = str(settings.ORGANISATION_NAME)
        props.identifier = self.number
        props.comments = _("Written by Yingji technology emergency management")
        props.created = props.modified = timezone.now()
        props.keywords = self.number


def shade(cell: Any, hex_colour: str) -> None:
    """Fill a table cell with a colour ("E03131"), as a heat map's cells are."""
    properties = cell._tc.get_or_add_tcPr()
    fill = OxmlElement("w:shd")
    fill.set(qn("w:val"), "clear")
    fill.set(qn("w:color"), "auto")
    fill.set(qn("w:fill"), hex_colour)
    properties.append(fill)


def _field(paragraph: Any, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES, TOC) that Word computes when it shows the document."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = instruction
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, text, separate, end):
        run._r.append(element)
