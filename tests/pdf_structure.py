"""Read a PDF's accessibility structure offline: what a screen reader and a checker look at.

The checks follow PDF/UA-1 (ISO 14289-1) as the Matterhorn Protocol words them: the file is
marked as tagged, names its language, shows its title, declares PDF/UA in its XMP metadata,
describes every figure, numbers its headings in order and gives its tables header cells.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

import pikepdf


@dataclass
class Structure:
    """What the checks need from one PDF."""

    marked: bool
    suspects: object
    lang: str | None
    display_title: bool
    title: str | None
    xmp: str
    roles: list[str] = field(default_factory=list)
    """Every structure element's role (after the role map), in reading order."""
    figures_without_alt: int = 0
    tables: list[list[str]] = field(default_factory=list)
    """The roles inside each table."""

    @property
    def heading_levels(self) -> list[int]:
        return [int(role[2:]) for role in self.roles if re.fullmatch(r"/H[1-6]", role)]

    def xmp_value(self, name: str) -> str | None:
        """An XMP property, written as an element or an attribute (``pdfuaid:part``)."""
        found = re.search(rf"<{name}>([^<]*)</{name}>|{name}=\"([^\"]*)\"", self.xmp)
        return (found[1] or found[2]) if found else None


def read_structure(data: bytes) -> Structure:
    """The structure of the PDF in ``data``."""
    pdf = pikepdf.open(io.BytesIO(data))
    root = pdf.Root
    mark_info = root.get("/MarkInfo", pikepdf.Dictionary())
    preferences = root.get("/ViewerPreferences", pikepdf.Dictionary())
    xmp = root.Metadata.read_bytes().decode("utf-8") if "/Metadata" in root else ""
    title = pdf.docinfo.get("/Title")
    structure = Structure(
        marked=bool(mark_info.get("/Marked", False)),
        suspects=mark_info.get("/Suspects"),
        lang=str(root["/Lang"]) if "/Lang" in root else None,
        display_title=bool(preferences.get("/DisplayDocTitle", False)),
        title=str(title) if title is not None else None,
        xmp=xmp,
    )
    tree = root.get("/StructTreeRoot")
    if tree is not None:
        role_map = {str(k): str(v) for k, v in tree.get("/RoleMap", pikepdf.Dictionary()).items()}
        _walk(tree.get("/K"), structure, role_map, table=None)
    return structure


def _walk(node: object, into: Structure, role_map: dict[str, str], table: list[str] | None) -> None:
    if isinstance(node, pikepdf.Array):
        for child in node:
            _walk(child, into, role_map, table)
        return
    if not isinstance(node, pikepdf.Dictionary) or "/S" not in node:
        return  # a marked-content number or reference: the page's text itself
    role = str(node["/S"])
    role = role_map.get(role, role)
    into.roles.append(role)
    if table is not None:
        table.append(role)
    if role in ("/Figure", "/Formula") and not str(node.get("/Alt", "")).strip():
        into.figures_without_alt += 1
    if role == "/Table":
        table = []
        into.tables.append(table)
    _walk(node.get("/K"), into, role_map, table)
