"""Streaming reader of FPDS XML: ATOM feed pages and the annual archives, as :class:`FpdsDocument`.

The feed is untrusted input of any size, so it is read with ``lxml.etree.iterparse``
and never held whole: each ``award``/``IDV`` element is flattened when it ends
and then cleared, and each finished entry is freed with everything before it.
Memory stays at about one entry whatever the feed's length.

Elements are matched on namespace URI and local name, never on prefixes: FPDS
serves Atom in the default namespace, other tools re-serialise it as ``ns0:``,
and contract data comes in either FPDS namespace (``fpds.gov`` now, ``fpdsng.com``
in older records and archives).
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator
from typing import IO, BinaryIO

from lxml import etree

from broker_core.fpds.document import DocumentKind, FpdsDocument
from broker_core.fpds.errors import FeedFormatError

ATOM = "http://www.w3.org/2005/Atom"
FPDS_NAMESPACES = ("https://www.fpds.gov/FPDS", "http://www.fpdsng.com/FPDS")

_DOCUMENT_TAGS: dict[str, DocumentKind] = {
    f"{{{namespace}}}{kind.value}": kind for namespace in FPDS_NAMESPACES for kind in DocumentKind
}
_FEED = f"{{{ATOM}}}feed"
_ENTRY = f"{{{ATOM}}}entry"
_LINK = f"{{{ATOM}}}link"

# Flattened paths by parent prefix, then by qualified tag: building path strings is
# the hot spot of flattening, and real feeds have only a few hundred distinct paths.
# The caps stop hostile input with endless distinct tags from growing it for ever.
_PATH_CACHE: dict[str, dict[str, str]] = {}
_MAX_PREFIXES = 1_000
_MAX_TAGS_PER_PREFIX = 200


def iter_documents(
    source: bytes | str | os.PathLike[str] | BinaryIO, links: dict[str, str] | None = None
) -> Iterator[FpdsDocument]:
    """Every contract document of an FPDS feed page or archive, in document order, streamed.

    ``source`` is the XML itself (``bytes``), a file path (``str`` or path-like)
    or a binary file object. An ATOM ``feed`` root and an FPDS archive root
    (``listOfIDVs``, ``listOfAwards``...) are accepted. If ``links`` is given it
    receives the feed's own ``<link rel=... href=...>`` elements (rel -> href)
    as they are read, which is before the first entry.

    Raises :class:`FeedFormatError` when the XML is malformed or the root is
    neither; documents read before a syntax error have already been yielded.
    """
    with _opened(source) as stream:
        yield from _documents(stream, links)


@contextlib.contextmanager
def _opened(source: bytes | str | os.PathLike[str] | BinaryIO) -> Iterator[IO[bytes]]:
    if isinstance(source, bytes):
        yield io.BytesIO(source)
    elif isinstance(source, str | os.PathLike):
        with open(source, "rb") as stream:
            yield stream
    else:
        yield source


def _documents(stream: IO[bytes], links: dict[str, str] | None) -> Iterator[FpdsDocument]:
    # Entries are released when they end, even those holding no contract document.
    tags = [*_DOCUMENT_TAGS, _ENTRY] if links is None else [*_DOCUMENT_TAGS, _ENTRY, _LINK]
    # Untrusted input: no DTD, no entity expansion, no network, libxml2's size limits kept.
    events = etree.iterparse(
        stream,
        events=("end",),
        tag=tags,
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    checked = False
    try:
        for _event, element in events:
            if not checked:
                _check_root(element.getroottree().getroot())
                checked = True
            tag = element.tag
            kind = _DOCUMENT_TAGS.get(tag)
            if kind is not None:
                document = _flatten_document(kind, element)
                element.clear()
                parent = element.getparent()
                if parent is not None and parent.getparent() is None:
                    _drop_earlier_siblings(element, parent)  # an archive: documents are the root's children
                yield document
            elif tag == _ENTRY:
                element.clear()
                parent = element.getparent()
                if parent is not None:
                    _drop_earlier_siblings(element, parent)
            elif links is not None:
                _read_link(element, links)
        if not checked:
            _check_root(events.root)
    except etree.XMLSyntaxError as exc:
        raise FeedFormatError(f"The FPDS response is not valid XML: {exc}") from exc


def _check_root(root: etree._Element) -> None:
    tag = root.tag
    if tag == _FEED:
        return
    qname = etree.QName(root)
    if qname.namespace in FPDS_NAMESPACES and qname.localname.startswith("listOf"):
        return
    raise FeedFormatError(
        f"The FPDS response is not an ATOM feed or an FPDS archive: its root element is {tag!r}"
    )


def _read_link(link: etree._Element, links: dict[str, str]) -> None:
    parent = link.getparent()
    if parent is None or parent.getparent() is not None:
        return  # an entry's own link, not one of the feed's
    href = link.get("href")
    if href:
        # Atom: a link without rel is an "alternate" one.
        links[link.get("rel") or "alternate"] = href


def _drop_earlier_siblings(element: etree._Element, parent: etree._Element) -> None:
    """Free what the parser has finished before ``element``; the parent is still being read."""
    while element.getprevious() is not None:
        del parent[0]


def _flatten_document(kind: DocumentKind, element: etree._Element) -> FpdsDocument:
    values: dict[str, str] = {}
    repeated: dict[str, list[str]] = {}
    _flatten(element, "", values, repeated)
    lists = {path: tuple(found) for path, found in repeated.items()} if repeated else {}
    return FpdsDocument(kind=kind, values=values, lists=lists)


def _flatten(
    parent: etree._Element, prefix: str, values: dict[str, str], repeated: dict[str, list[str]]
) -> None:
    paths = _PATH_CACHE.get(prefix)
    if paths is None:
        paths = {} if len(_PATH_CACHE) >= _MAX_PREFIXES else _PATH_CACHE.setdefault(prefix, {})
    for child in parent:
        tag = child.tag
        path = paths.get(tag)
        if path is None:
            if not isinstance(tag, str):
                continue  # an unexpanded entity reference
            path = _new_path(paths, prefix, tag)
        text = child.text
        if text is not None:
            text = text.strip()
            if text:
                if path in values:
                    _repeat(path, text, values, repeated)
                else:
                    values[path] = text
        for name, value in child.items():
            value = value.strip()
            if value:
                if name[0] == "{":
                    name = name[name.index("}") + 1 :]
                key = f"{path}@{name}"
                if key in values:
                    _repeat(key, value, values, repeated)
                else:
                    values[key] = value
        if len(child):
            _flatten(child, path + "/", values, repeated)


def _new_path(paths: dict[str, str], prefix: str, tag: str) -> str:
    path = prefix + tag[tag.find("}") + 1 :]
    if len(paths) < _MAX_TAGS_PER_PREFIX:
        paths[tag] = path
    return path


def _repeat(path: str, value: str, values: dict[str, str], repeated: dict[str, list[str]]) -> None:
    found = repeated.get(path)
    if found is None:
        repeated[path] = [values[path], value]
    else:
        found.append(value)
