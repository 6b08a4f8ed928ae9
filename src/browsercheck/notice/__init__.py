"""What a person is told: the notice for a verdict, in their language, as text, HTML and JSON.

The family's parts, one job each: ``_messages`` (the message ids, English source texts and gettext
catalogs in ``locale/``), ``_negotiate`` (choosing a language from Accept-Language), ``_parts``
(links and paragraphs), ``_html`` (the escaped, accessible fragment) and ``_build`` (what to say
for a verdict). Most code needs only ``Verdict.notice()``; these names are for those who build
notices themselves or bring their own catalogs.
"""

from __future__ import annotations

from ._build import Notice as Notice
from ._build import build_notice as build_notice
from ._build import default_catalogs as default_catalogs
from ._messages import MESSAGES as MESSAGES
from ._messages import Catalogs as Catalogs
from ._negotiate import negotiate as negotiate
from ._parts import Link as Link
from ._parts import Paragraph as Paragraph

__all__ = ["MESSAGES", "Catalogs", "Link", "Notice", "Paragraph", "build_notice", "default_catalogs", "negotiate"]
