"""Printable labels (R-RES-1: storage places clearly labelled for fast dispatch): a QR code
that opens the shelf's or the spare's page, its code in large type and its name. On an A4
sheet of 3 × 8 labels, or one label a page for 62 mm label tape. The QR is drawn as vector
squares (crisp at any printer resolution); Chinese text uses a CID font every PDF reader
supplies, so nothing is embedded and nothing is fetched."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

FONT = "STSong-Light"
SHEET_COLUMNS, SHEET_ROWS = 3, 8
SHEET_LABEL = (63.5 * mm, 33.9 * mm)  # the common 24-up A4 label sheet
SHEET_MARGIN = (7.2 * mm, 13.0 * mm)
TAPE = (62 * mm, 29 * mm)  # 62 mm continuous tape, cut at 29 mm
LAYOUTS = ("a4", "tape")


@dataclass(frozen=True)
class Label:
    code: str  # large: what a person reads on the shelf
    name: str
    url: str  # what the QR opens


def labels_pdf(labels: Sequence[Label], layout: str = "a4") -> bytes:
    if layout not in LAYOUTS:
        raise ValueError(layout)
    _font()
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4 if layout == "a4" else TAPE)
    canvas.setTitle("Labels")
    canvas.setCreator("Yingji")
    if layout == "a4":
        _sheet(canvas, labels)
    else:
        for label in labels:
            _draw(canvas, label, 0, 0, *TAPE)
            canvas.showPage()
    if not labels:
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def _font() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _sheet(canvas: Canvas, labels: Sequence[Label]) -> None:
    width, height = SHEET_LABEL
    left, top = SHEET_MARGIN
    per_page = SHEET_COLUMNS * SHEET_ROWS
    for index, label in enumerate(labels):
        if index and index % per_page == 0:
            canvas.showPage()
        slot = index % per_page
        column, row = slot % SHEET_COLUMNS, slot // SHEET_COLUMNS
        x = left + column * (width + 2.5 * mm)
        y = A4[1] - top - (row + 1) * height
        _draw(canvas, label, x, y, width, height)
    if labels:
        canvas.showPage()


def _draw(canvas: Canvas, label: Label, x: float, y: float, width: float, height: float) -> None:
    pad = 2 * mm
    side = height - 2 * pad
    _qr(canvas, label.url, x + pad, y + pad, side)
    text_x = x + pad + side + 2 * mm
    room = width - (text_x - x) - pad
    canvas.setFont("Helvetica-Bold", 11)
    canvas.drawString(
        text_x, y + height - pad - 11, _fit(canvas, label.code, "Helvetica-Bold", 11, room)
    )
    canvas.setFont(FONT, 8)
    lines = _wrap(canvas, label.name, FONT, 8, room)[:3]
    for n, line in enumerate(lines):
        canvas.drawString(text_x, y + height - pad - 24 - n * 10, line)


def _qr(canvas: Canvas, data: str, x: float, y: float, side: float) -> None:
    """The QR as filled squares, with its quiet zone inside `side`."""
    code = segno.make_qr(data, error="m")
    matrix = list(code.matrix_iter(scale=1, border=2))
    module = side / len(matrix)
    canvas.setFillColorRGB(0, 0, 0)
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                canvas.rect(
                    x + c * module, y + side - (r + 1) * module, module, module, stroke=0, fill=1
                )


def _fit(canvas: Canvas, text: str, font: str, size: float, room: float) -> str:
    while text and canvas.stringWidth(text, font, size) > room:
        text = text[:-1]
    return text


def _wrap(canvas: Canvas, text: str, font: str, size: float, room: float) -> list[str]:
    lines, current = [], ""
    for char in text:
        if canvas.stringWidth(current + char, font, size) > room:
            lines.append(current)
            current = char
        else:
            current += char
    return [*lines, current] if current else lines
