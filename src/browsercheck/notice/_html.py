"""The notice as an HTML fragment: escaped, accessible, and styled so that old browsers render it.

Everything that comes from a catalog, the policy or the request is escaped. The fragment is a
``<style>`` element (with the page's CSP nonce, if given) and a region landmark named by its
heading, with ``lang`` and ``dir``. The CSS uses no custom properties or modern layout, so that
Internet Explorer 11 shows it as intended, and no ``style=""`` attributes, so that a strict CSP
allows it. Colours keep at least 4.5:1 contrast. Dismissal is a real form button: no JavaScript.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from html import escape

from ._parts import Link, ListWords, Paragraph

TITLE_ID = "browsercheck-notice-title"

# Contrast (computed in the tests; WCAG AA asks 4.5:1): text #1b1b1b on #fff4d6 15.7:1 and on the
# unsupported notice's #fde8e7 14.7:1; links #0b4f9c 7.3:1 and 6.8:1; the button's white on #1b1b1b 17.2:1.
# Right-to-left notices move the accent bar with [dir=rtl], not with logical properties
# (border-inline-start), which Internet Explorer 11 does not know; the rest follows `dir` by itself.
CSS = """\
.browsercheck-notice{display:block;margin:0;padding:16px 20px;border-left:6px solid #a15c00;\
background:#fff4d6;color:#1b1b1b;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5}
.browsercheck-notice--unsupported{border-left-color:#b3261e;background:#fde8e7}
.browsercheck-notice[dir=rtl]{border-left:0;border-right:6px solid #a15c00}
.browsercheck-notice--unsupported[dir=rtl]{border-right-color:#b3261e}
.browsercheck-notice h1,.browsercheck-notice h2,.browsercheck-notice h3,.browsercheck-notice h4,\
.browsercheck-notice h5,.browsercheck-notice h6{margin:0 0 8px;font-size:20px;line-height:1.3;color:#1b1b1b}
.browsercheck-notice p{margin:0 0 8px}
.browsercheck-notice a{color:#0b4f9c;text-decoration:underline}
.browsercheck-notice a:hover,.browsercheck-notice a:focus{color:#062f5e}
.browsercheck-notice form{margin:8px 0 0}
.browsercheck-notice button{padding:6px 14px;border:2px solid #1b1b1b;background:#1b1b1b;color:#fff;\
font:inherit;cursor:pointer}
.browsercheck-notice button:focus,.browsercheck-notice a:focus{outline:3px solid #0b4f9c;outline-offset:2px}
"""


def render_html(
    *,
    status: str,
    locale: str,
    direction: str,
    title: str,
    paragraphs: Sequence[Paragraph],
    lists: ListWords,
    dismiss_label: str | None,
    dismiss_url: str | None,
    dismiss_next: str | None,
    nonce: str | None,
    heading_level: int,
) -> tuple[str, str]:
    """The ``<style>`` element and the region, apart: a page may take the style into its head."""
    nonce_attr = f' nonce="{escape(nonce)}"' if nonce else ""
    style = f"<style{nonce_attr}>\n{CSS}</style>\n"
    parts = [
        f'<section class="browsercheck-notice browsercheck-notice--{escape(status)}" role="region" '
        f'aria-labelledby="{TITLE_ID}" lang="{escape(locale)}" dir="{escape(direction)}">\n',
        f'<h{heading_level} id="{TITLE_ID}">{escape(title)}</h{heading_level}>\n',
    ]
    escaped_lists = ListWords(escape(lists.conjunction, quote=False), escape(lists.separator, quote=False))
    parts.extend(f"<p>{_paragraph_html(p, escaped_lists)}</p>\n" for p in paragraphs)
    if dismiss_url and dismiss_label:
        parts.append(f'<form method="post" action="{escape(dismiss_url)}">')
        if dismiss_next:
            parts.append(f'<input type="hidden" name="next" value="{escape(dismiss_next)}">')
        parts.append(f'<button type="submit">{escape(dismiss_label)}</button></form>\n')
    parts.append("</section>\n")
    return style, "".join(parts)


def _paragraph_html(paragraph: Paragraph, lists: ListWords) -> str:
    """The paragraph's text escaped, each value in its own ``<bdi>``: a Latin browser name, a
    version or a site's name keeps its own direction inside Arabic or Persian text (and an Arabic
    site name inside English), and punctuation next to it stays where the sentence puts it."""
    out = []
    for literal, field, _, _ in string.Formatter().parse(paragraph.template):
        out.append(escape(literal, quote=False))
        if field is None:
            continue
        value = paragraph.values[field]
        if isinstance(value, str):
            out.append(_isolated(value))
        else:
            out.append(lists.join(_item_html(item) for item in value))
    return "".join(out)


def _item_html(item: Link | str) -> str:
    if isinstance(item, str):
        return _isolated(item)
    return f'<a href="{escape(item.url)}">{_isolated(item.name)}</a>'


def _isolated(text: str) -> str:
    return f"<bdi>{escape(text, quote=False)}</bdi>"
