"""Small real documents the tests make: an HTML page wrapped in site chrome, real PDFs."""

import io

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.pdfgen import canvas
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

FIRST = (
    "The harbour of Lomira shipped 420 crates of pinewood in 1820, more than in any year "
    "before. Merchants from three countries sailed in to buy it."
)
SECOND = (
    "Most of the timber went south by sea. The captains complained about the storms that "
    "winter, which sank two ships near the cape."
)
THIRD = "By spring the town had built a new pier. It still stands, and tourists visit it often."
# A short article in Russian: an orchard of 340 quince trees, planted in 1962.
ORCHARD_RU = (
    "# Сад Вельдт\n\n"
    "Сад Вельдт растёт на северном склоне холма. В саду растут 340 деревьев айвы. "
    "Деревья посадила Мара Эллисон в 1962 году, после великого мороза.\n\n"
    "## Урожай\n\n"
    "Каждый октябрь сборщики собирают около девяти тонн айвы. Большую часть плодов продают "
    "производителю варенья в Данморе, а остальное идёт на деревенский рынок.\n"
)

CHROME = """
<header><a href="/">Harbour News</a>
  <nav><ul><li><a href="/world">World</a></li><li><a href="/login">Login</a></li>
  <li><a href="/subscribe">Subscribe</a></li></ul></nav></header>
<div class="cookie-banner">We use cookies. <button>Accept cookies</button></div>
"""
FOOTER = """
<aside><h3>Most read</h3><ul><li><a href="/a">Ten ways to sail</a></li></ul></aside>
<footer><p>© 2024 Harbour News. All rights reserved.</p>
  <a href="/privacy">Privacy</a> <a href="/subscribe">Subscribe</a></footer>
"""


def html_page(article: str) -> bytes:
    """A whole web page: head metadata, site chrome around ``article``."""
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>The Lomira Timber Trade | Harbour News</title>
<meta name="author" content="Jane Doe">
<meta property="article:published_time" content="2024-05-01T08:00:00Z">
</head><body>{CHROME}{article}{FOOTER}</body></html>""".encode()


ARTICLE = f"""<main><article>
<h1>The Lomira Timber Trade</h1>
<p>{FIRST.replace("pinewood", "<b>pinewood</b>")}</p>
<h2>The voyages south</h2>
<p>{SECOND.replace("winter,", "winter,<br>")}</p>
<ul><li>{THIRD}</li></ul>
</article></main>"""


def pdf_document(*paragraphs: str, title: str = "The Lighthouse Keepers") -> bytes:
    """A real PDF with a text layer: a title, body paragraphs (wrapped by reportlab), 2 pages."""
    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    story = [Paragraph(title, styles["Title"])]
    for i, paragraph in enumerate(paragraphs):
        story += [PageBreak()] if i == len(paragraphs) - 1 else []
        story.append(Paragraph(paragraph, styles["BodyText"]))
    SimpleDocTemplate(buffer, pagesize=A4, title=title, author="Ann Smith").build(story)
    return buffer.getvalue()


def drawing_only_pdf() -> bytes:
    """A PDF whose page is only a picture (shapes): what a scan looks like to a reader."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.rect(100, 100, 300, 400, fill=1)
    page.circle(250, 650, 50)
    page.save()
    return buffer.getvalue()


LONG = (
    "The lighthouse on Vell Island was kept by the Marr family for ninety years, through "
    "storms, wars and two changes of the lamp. Each evening the keeper climbed two hundred "
    "steps to light it, and each morning wrote the weather into a ledger that is now in the "
    "town museum."
)
