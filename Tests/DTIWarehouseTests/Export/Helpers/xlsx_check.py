#!/usr/bin/env python3
"""Reads an XLSX written by `dti export` with a reader other than dti's own (openpyxl, and the zip's XML for what
openpyxl does not load: charts and custom properties) and prints what the tests check, as JSON.

usage: xlsx_check.py FILE.xlsx
"""
import json
import posixpath
import re
import sys
import zipfile
import xml.etree.ElementTree as ET

import openpyxl

NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "cp": "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties",
    "vt": "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes",
}


def rels(z, path):
    folder, name = posixpath.split(path)
    rel_path = posixpath.join(folder, "_rels", name + ".rels")
    if rel_path not in z.namelist():
        return {}
    out = {}
    for r in ET.fromstring(z.read(rel_path)).findall("rel:Relationship", NS):
        out[r.get("Id")] = posixpath.normpath(posixpath.join(folder, r.get("Target")))
    return out


def charts(z):
    """sheet name -> [{kind, col, row}] from the drawings anchored on each sheet."""
    book = ET.fromstring(z.read("xl/workbook.xml"))
    book_rels = rels(z, "xl/workbook.xml")
    out = {}
    for s in book.find("m:sheets", NS).findall("m:sheet", NS):
        sheet_path = book_rels[s.get("{%s}id" % NS["r"])]
        found = []
        for target in rels(z, sheet_path).values():
            if "drawings/" not in target:
                continue
            drawing_rels = rels(z, target)
            for anchor in ET.fromstring(z.read(target)):
                frm = anchor.find("xdr:from", NS)
                chart = anchor.find(".//c:chart", NS)
                if frm is None or chart is None:
                    continue
                chart_xml = z.read(drawing_rels[chart.get("{%s}id" % NS["r"])]).decode("utf-8")
                kind = "line" if "<c:lineChart>" in chart_xml else "bar" if "<c:barChart>" in chart_xml else "other"
                series = chart_xml.count("<c:ser>")
                found.append({"kind": kind, "series": series, "col": int(frm.find("xdr:col", NS).text),
                              "row": int(frm.find("xdr:row", NS).text)})
        out[s.get("name")] = found
    return out


def custom_properties(z):
    if "docProps/custom.xml" not in z.namelist():
        return {}
    out = {}
    for p in ET.fromstring(z.read("docProps/custom.xml")).findall("cp:property", NS):
        value = next(iter(p), None)
        out[p.get("name")] = value.text if value is not None else None
    return out


def main(path):
    wb = openpyxl.load_workbook(path)  # raises on a file Excel would have to repair
    props = wb.properties
    sheets = {}
    for ws in wb.worksheets:
        headers = [c.value for c in ws[2]] if ws.max_row >= 2 else []
        formats = {}
        values = {}
        for k, h in enumerate(headers):
            if h is None:
                continue
            col = [ws.cell(row=r, column=k + 1) for r in range(3, ws.max_row + 1)]
            nums = [c for c in col if isinstance(c.value, (int, float)) and not isinstance(c.value, bool)]
            formats[h] = sorted({c.number_format for c in nums})
            values[h] = [c.value for c in col]
        sheets[ws.title] = {"rows": ws.max_row, "headers": headers, "formats": formats, "values": values,
                            "frozen": ws.freeze_panes}
    with zipfile.ZipFile(path) as z:
        chart_map = charts(z)
        custom = custom_properties(z)
    print(json.dumps({
        "sheets": [ws.title for ws in wb.worksheets],
        "title": props.title, "subject": props.subject, "keywords": props.keywords, "description": props.description,
        "creator": props.creator, "created": props.created.isoformat() if props.created else None,
        "custom": custom, "charts": chart_map, "data": sheets,
    }, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main(sys.argv[1])
