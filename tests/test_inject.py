"""The banner's place in an HTML page streamed in pieces: tags as a browser's tokenizer reads them,
the same bytes however the page is split, work linear in the page, the notice in the page's charset.

html5lib, a parser that follows the HTML standard, is the judge of where a banner landed."""

from __future__ import annotations

import itertools
from typing import Any

import html5lib
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from browsercheck._inject import WINDOW, Injector

BANNER = '<aside id="bc-banner">NOTICE</aside>'
STYLE = '<style id="bc-style">.bc{color:red}</style>'


def inject(page: bytes, chunks: list[int] | None = None, where: str = "after_body_open", **options: Any) -> bytes:
    """``page`` through an Injector, cut at ``chunks`` (offsets), or in one piece."""
    injector = Injector(BANNER, where, STYLE, **options)
    cuts = [0, *(chunks or []), len(page)]
    out = b"".join(injector.feed(page[a:b]) for a, b in itertools.pairwise(cuts))
    return out + injector.finish()


def tree(html: bytes) -> Any:
    return html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=False, transport_encoding="utf-8")


def parent_of(root: Any, element_id: str) -> Any:
    for parent in root.iter():
        for child in parent:
            if child.get("id") == element_id:
                return parent
    return None


# -- where the banner goes -----------------------------------------------------------------------------------

# (id, page, the page with the banner where it belongs: "@" for the style, "#" for the banner)
PLACES = [
    ("plain", "<html><head></head><body><p>x</p></body></html>", "<html><head>@</head><body>#<p>x</p></body></html>"),
    (
        "body-in-a-script-string",
        '<html><head><script>var t="<body>"</script></head><body><p>x</p></body></html>',
        '<html><head><script>var t="<body>"</script>@</head><body>#<p>x</p></body></html>',
    ),
    (
        "head-end-in-a-script",
        "<html><head><script>document.write('</head>')</script></head><body>x</body></html>",
        "<html><head><script>document.write('</head>')</script>@</head><body>#x</body></html>",
    ),
    (
        "body-in-a-comment",
        "<html><head></head><!-- <body> --><body class=a><p>x",
        "<html><head>@</head><!-- <body> --><body class=a>#<p>x",
    ),
    (
        "gt-in-a-double-quoted-attribute",
        '<html><head></head><body data-x="a>b"><p>x',
        '<html><head>@</head><body data-x="a>b">#<p>x',
    ),
    (
        "gt-in-a-single-quoted-attribute",
        "<html><head></head><body data-x='a>b'><p>x",
        "<html><head>@</head><body data-x='a>b'>#<p>x",
    ),
    (
        "body-in-an-attribute",
        '<html><head><meta name="x" content="<body> </head>"></head><body>x',
        '<html><head><meta name="x" content="<body> </head>">@</head><body>#x',
    ),
    ("unquoted-value-ends-at-gt", "<head></head><body data-x=a>b>x", "<head>@</head><body data-x=a>#b>x"),
    ("body-in-a-title", "<head><title><body></title></head><body>x", "<head><title><body></title>@</head><body>#x"),
    (
        "body-in-a-style",
        "<head><style>/* <body> */ p{}</style></head><body>x",
        "<head><style>/* <body> */ p{}</style>@</head><body>#x",
    ),
    (
        "escaped-script",
        "<head><script><!-- <script> </script> <body> --></script></head><body>x",
        "<head><script><!-- <script> </script> <body> --></script>@</head><body>#x",
    ),
    ("empty-comment", "<head></head><!--><body>x", "<head>@</head><!--><body>#x"),
    ("upper-case", "<HTML><HEAD></HEAD><BODY\nCLASS=x>y", "<HTML><HEAD>@</HEAD><BODY\nCLASS=x>#y"),
    ("self-closing", "<head></head><body/>x", "<head>@</head><body/>#x"),
    (
        "doctype-and-processing-instruction",  # "<?" ends at the first ">", quotes or not
        "<!DOCTYPE html><?php echo 1 ?><body>x",
        "<!DOCTYPE html><?php echo 1 ?><body>@#x",
    ),
    ("end-tag-attribute", '<head></head foo=">"><body>x', '<head>@</head foo=">"><body>#x'),
]


@pytest.mark.parametrize(("page", "expected"), [case[1:] for case in PLACES], ids=[case[0] for case in PLACES])
def test_banner_goes_after_the_real_body_tag(page: str, expected: str) -> None:
    expected_bytes = expected.replace("@", STYLE).replace("#", BANNER).encode()
    out = inject(page.encode())
    assert out == expected_bytes
    assert out == inject(page.encode(), list(range(1, len(page))))  # byte by byte: the same
    root = tree(out)
    assert parent_of(root, "bc-banner") is root.find("body")
    first = next(e for e in root.find("body") if e.get("id") != "bc-style")
    assert first.get("id") == "bc-banner"  # the first thing in the body (after the style, without a head)


def test_a_longer_tag_name_is_not_body() -> None:
    # (html5lib opens the body at <bodyx>, as browsers do; the banner still goes after the tag)
    assert inject(b"<bodyx><body>x") == b"<bodyx><body>" + STYLE.encode() + BANNER.encode() + b"x"


# (id, page, the page with the banner before the real </body>)
CLOSES = [
    ("plain", "<body><p>x</p></body></html>", "<body><p>x</p>#</body></html>"),
    (
        "body-end-in-a-textarea",
        "<body><textarea></body></textarea></body>",
        "<body><textarea></body></textarea>#</body>",
    ),
    ("body-end-in-xmp", "<body><xmp></body></xmp></body>", "<body><xmp></body></xmp>#</body>"),
    (
        "body-end-in-a-script-and-a-comment",
        "<body><script>x='</body>'</script><!-- </body> --></body><!-- </body> -->",
        "<body><script>x='</body>'</script><!-- </body> -->#</body><!-- </body> -->",
    ),
]


@pytest.mark.parametrize(("page", "expected"), [case[1:] for case in CLOSES], ids=[case[0] for case in CLOSES])
def test_banner_before_the_real_body_end(page: str, expected: str) -> None:
    out = inject(page.encode(), where="before_body_close")
    assert out == expected.replace("#", STYLE + BANNER).encode()
    assert out == inject(page.encode(), list(range(1, len(page))), where="before_body_close")


def test_no_body_tag_within_the_window_leaves_the_page() -> None:
    page = b"<html><head><!-- " + b"x" * 2 * WINDOW + b" --></head><body>late</body>"
    assert inject(page, list(range(1000, len(page), 1000))) == page


def test_work_is_linear_when_the_page_comes_a_byte_at_a_time() -> None:
    """A 60 KiB head of everything the scan reads (tags, quoted and unquoted attributes, comments,
    scripts, styles), fed byte by byte: every byte is looked at a few times, not once per piece."""
    part = (
        '<meta name="description" content="a long &quot;quoted&quot; value > with a gt">\n'
        "<link rel=stylesheet href=/static/site.css>\n"
        "<!-- a comment with <body> and </head> in it -->\n"
        "<script>var s = '</scr' + 'ipt>'; if (a < b && c > d) { x('<body>') }</script>\n"
        "<style>p > a { color: red } /* </head> */</style>\n"
    )
    page = ("<!DOCTYPE html><html><head>" + part * (60 * 1024 // len(part)) + "</head><body>x</body></html>").encode()
    injector = Injector(BANNER, "after_body_open", STYLE)
    out = b"".join(injector.feed(page[i : i + 1]) for i in range(len(page))) + injector.finish()
    assert injector.inserted and out.count(b"bc-banner") == 1
    assert injector.examined <= 12 * len(page)  # a rescan per piece would be about len(page)**2 / 2


# -- properties: any page, any split ----------------------------------------------------------------------------------

# Pieces of a head and of a body, with the tricky places a "<body>" may hide in.
HEAD_PARTS = [
    "<meta charset=utf-8>",
    '<meta name="x" content="<body> </head>">',
    "<title>a <body> title</title>",
    "<script>if (a<b) document.write('<body></head>')</script>",
    "<script><!-- <script> </script> <body> --></script>",
    "<style>a>b{}/* <body> */</style>",
    "<!-- <body> </head> -->",
    "<!---->",
    "<link href='a>b'>",
    "<base href=/x>",
    "\n",
]
BODY_PARTS = [
    "<p>text & more</p>",
    "<textarea></body><body></textarea>",
    "<script>'</body>'</script>",
    "<!-- </body> -->",
    "<a href=\"?a=1&b='>'\">link</a>",
    "<div class=x>d</div>",
    "\n",
]
documents = st.builds(
    lambda doctype, head, body_attrs, body: (
        f"{doctype}<html><head>{''.join(head)}</head><body{body_attrs}>{''.join(body)}</body></html>"
    ),
    st.sampled_from(["", "<!DOCTYPE html>", "<!doctype html>\n"]),
    st.lists(st.sampled_from(HEAD_PARTS), max_size=8),
    st.sampled_from(["", ' class="home"', " data-x='a>b'", " onload=\"f('<body>')\"", "\nid=main"]),
    st.lists(st.sampled_from(BODY_PARTS), max_size=6),
).map(str.encode)


def splits(size: int) -> st.SearchStrategy[list[int]]:
    return st.lists(st.integers(1, max(1, size - 1)), max_size=40).map(lambda cuts: sorted(set(cuts)))


def without_insertions(out: bytes) -> bytes:
    return out.replace(BANNER.encode(), b"", 1).replace(STYLE.encode(), b"", 1)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(page=documents, data=st.data(), where=st.sampled_from(["after_body_open", "before_body_close"]))
def test_documents_get_one_banner_in_the_body_however_split(page: bytes, data: Any, where: str) -> None:
    whole = inject(page, where=where)
    assert whole.count(BANNER.encode()) == 1 and whole.count(STYLE.encode()) == 1
    assert without_insertions(whole) == page  # nothing else changed
    assert inject(page, data.draw(splits(len(page))), where=where) == whole
    root = tree(whole)
    body = root.find("body")
    assert parent_of(root, "bc-banner") is body
    assert parent_of(root, "bc-style") is root.find("head")
    elements = list(body)
    assert elements[0 if where == "after_body_open" else -1].get("id") == "bc-banner"


# Any text from the characters that matter to a tokenizer, and any bytes at all.
MARKUP = st.lists(
    st.sampled_from([*list("<>/!-=\"' \nabdhoy?"), "body", "head", "script", "style", "textarea", "<!--", "-->"]),
    max_size=60,
).map(lambda parts: "".join(parts).encode())


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(page=st.one_of(MARKUP, st.binary(max_size=200)), data=st.data())
def test_any_bytes_one_insertion_at_most_and_chunking_does_not_matter(page: bytes, data: Any) -> None:
    for where in ("after_body_open", "before_body_close"):
        whole = inject(page, where=where)
        assert inject(page, data.draw(splits(len(page))), where=where) == whole
        assert without_insertions(whole) == page
        if whole != page:  # an insertion: an element html5lib finds, not text in a comment or attribute
            assert parent_of(tree(whole), "bc-banner") is not None


# -- charsets ----------------------------------------------------------------------------------------------------

NOTICE = "Du använder en gammal webbläsare \u2013 日本"  # an en dash, and two characters Latin-1 lacks


def notice_in(page: bytes, **options: Any) -> tuple[bytes, Injector]:
    injector = Injector(f"<p>{NOTICE}</p>", "after_body_open", "", **options)
    return injector.feed(page) + injector.finish(), injector


@pytest.mark.parametrize(
    ("page", "options", "written"),
    [
        (b"<body>", {"charset": "utf-8"}, NOTICE.encode()),
        (
            b"<body>",
            {"charset": "ISO-8859-1"},
            "använder en gammal webbläsare &#8211; &#26085;&#26412;".encode("latin-1"),
        ),
        (
            b'<meta charset="shift_jis"><body>',
            {},
            "anv&#228;nder en gammal webbl&#228;sare &#8211; 日本".encode("sjis"),
        ),
        (
            b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1252"><body>',
            {},
            "använder en gammal webbläsare \u2013 &#26085;&#26412;".encode("cp1252"),
        ),
        (b"<body>", {}, b"Du anv&#228;nder en gammal webbl&#228;sare &#8211; &#26085;&#26412;"),
        (b"\xef\xbb\xbf<body>", {"charset": "iso-8859-1"}, NOTICE.encode()),  # the byte order mark wins
        (b'<meta charset="utf-16"><body>', {}, NOTICE.encode()),  # HTML reads this as UTF-8
        (b'<?xml version="1.0" encoding="ISO-8859-1"?><body>', {"xml": True}, "använder".encode("latin-1")),
    ],
    ids=[
        "utf-8",
        "latin-1-header",
        "shift-jis-meta",
        "windows-1252-http-equiv",
        "undeclared",
        "bom",
        "meta-utf-16",
        "xhtml",
    ],
)
def test_notice_in_the_pages_charset(page: bytes, options: dict[str, Any], written: bytes) -> None:
    out, injector = notice_in(page, **options)
    assert written in out
    assert injector.inserted and injector.added == len(out) - len(page)


def test_meta_after_the_first_kilobyte_is_not_read() -> None:
    page = b"<!-- " + b"x" * 1100 + b' --><meta charset="iso-8859-1"><body>'
    out, _ = notice_in(page)
    assert b"anv&#228;nder" in out  # undeclared as browsers read it: ASCII with references


@pytest.mark.parametrize(
    ("page", "charset", "why"),
    [
        ("<body>".encode("utf-16"), None, "the page is in UTF-16"),
        (b"<body>", "x-no-such-charset", "the page's charset 'x-no-such-charset' is not one Python knows"),
        (b"<body>", "utf-7", "the page's charset 'utf-7' does not write ASCII as ASCII"),
    ],
    ids=["utf-16-bom", "unknown", "utf-7"],
)
def test_a_page_in_a_charset_the_notice_cannot_be_written_in_is_left_alone(
    page: bytes, charset: str | None, why: str
) -> None:
    out, injector = notice_in(page, charset=charset)
    assert out == page
    assert (injector.inserted, injector.skipped) == (False, why)
