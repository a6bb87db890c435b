"""Hostile files: what a coordinator's inbox also holds. Each case is a real file in a real
format, generated (seeded, no clock) so that tests can add it to a copy of raw/.

`write_hostile(folder)` writes the committed cases and returns, for each file, the
quarantine reason the warehouse must give it; `million_rows_xlsx(path)` and
`badly_named(folder)` make the cases that are too big, or too strangely named, to commit.
"""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import openpyxl

SEED = "corpus:hostile"

# file -> the reason code the warehouse must quarantine it with
FILE_LEVEL = {
    "empty.xlsx": "empty_file",
    "truncated.xlsx": "corrupt_file",
    "bomb.xlsx": "zip_bomb",
    "entities.xlsx": "unsafe_xml",
    "password.xlsx": "password_protected",
    "garbage.csv": "not_a_spreadsheet",
    "undetectable.csv": "undetectable_encoding",
    "IT_risultati_JAD.xlsx": "not_a_participant",
    "results_without_a_country.xlsx": "unknown_country",
}
CELL_LEVEL = {
    "IE_formulas.csv": "not_a_number",
    "IE_late_dates.csv": "date_outside_window",
    "IE_negative_and_absurd.csv": "negative_value",
}
PERSONAL_VALUES = (
    "Marko Marković",
    "Jovana Petrović",
    "1985-03-14",
    "AB1234567",
    "0103985710123",
    "Ivan Horvat",
    "1990-11-02",
    "CD7654321",
)


# Names written where no column screen looks: a title, a pair's value, a sheet's name, an
# unknown header, a notes row, an unknown label under arrests, a day.
FREE_TEXT_NAMES = (
    "Kovačević",
    "Babić",
    "Horvat",
    "Jurić",
    "Šimić",
    "Perić",
    "Tadić",
)


def xlsx_workbook(rows: list[list], sheet: str = "Sheet1", *more: tuple[str, list[list]]) -> bytes:
    book = openpyxl.Workbook()
    book.active.title = sheet
    for row in rows:
        book.active.append(row)
    for name, sheet_rows in more:
        extra = book.create_sheet(name)
        for row in sheet_rows:
            extra.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def free_text_workbook() -> bytes:
    """A results workbook as a tired officer might fill it in, with people's names in every
    kind of free text (FREE_TEXT_NAMES); its figures are ordinary."""
    results = [
        ["Report by officer Dragana Kovačević"],
        ["Country:", "Croatia – contact Zoran Babić"],
        [],
        ["Date", "Persons checked", "Witness Tomislav Jurić"],
        ["24.09.2020", 10, 1],
        ["25.09.2020", 12, 2],
        [],
        ["Note: suspect Branka Šimić (born 12.03.1985) was released"],
    ]
    arrests = [
        ["Charge", "Arrests"],
        ["Migrant smuggling", 3],
        ["Goran Perić", 1],
        ["Tadić, 26.09.2020", 1],
    ]
    return xlsx_workbook(results, "Horvat Ivan", ("Arrests", arrests))


def _results(country_line: list | None) -> bytes:
    """A small, clean results table; `country_line` names the sender (or not)."""
    rows = [["Results of the Joint Action Days"]]
    if country_line:
        rows.append(country_line)
    rows += [
        [],
        ["Date", "Persons checked", "Vehicles checked"],
        ["24.09.2020", 120, 14],
        ["25.09.2020", 95, 11],
    ]
    return xlsx_workbook(rows)


def _bomb() -> bytes:
    """A zip named .xlsx whose one part unpacks to 100 MiB of zeros (about 100 KiB packed)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as part:
            block = b"\0" * (1024 * 1024)
            for _ in range(100):
                part.write(block)
    return buffer.getvalue()


def _with_entities(clean: bytes) -> bytes:
    """A real xlsx whose sheet declares an external entity (XXE) and uses it in a cell."""
    source = zipfile.ZipFile(io.BytesIO(clean))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == "xl/worksheets/sheet1.xml":
                doctype = b'<!DOCTYPE worksheet [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
                data = (
                    data.replace(b"?>", b"?>" + doctype, 1)
                    if data.startswith(b"<?xml")
                    else doctype + data
                )
            target.writestr(entry, data)
    return buffer.getvalue()


def _encrypted(clean: bytes) -> bytes:
    """The same workbook, protected with a password (as Excel's 'Encrypt with password')."""
    import msoffcrypto
    from msoffcrypto.format.ooxml import OOXMLFile

    del msoffcrypto
    encrypted = io.BytesIO()
    OOXMLFile(io.BytesIO(clean)).encrypt("secret", encrypted)
    return encrypted.getvalue()


def _csv(lines: list[str], encoding: str = "utf-8") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def write_hostile(folder: Path) -> dict[str, str]:
    """Write the committed hostile cases into `folder`; returns file -> expected reason."""
    rng = random.Random(SEED)
    folder.mkdir(parents=True, exist_ok=True)
    clean = _results(["Country:", "Ireland"])
    files = {
        "empty.xlsx": b"",
        "truncated.xlsx": clean[: len(clean) * 6 // 10],
        "bomb.xlsx": _bomb(),
        "entities.xlsx": _with_entities(clean),
        "password.xlsx": _encrypted(clean),
        "garbage.csv": bytes(rng.randrange(256) for _ in range(4096)),
        "undetectable.csv": b"\r\n".join(
            b";".join(bytes(rng.randrange(0xC0, 0xFF) for _ in range(7)) for _ in range(4))
            for _ in range(12)
        ),
        "IT_risultati_JAD.xlsx": _results(["Paese:", "Italia"]),
        "results_without_a_country.xlsx": _results(None),
        "IE_formulas.csv": _csv(
            [
                "Country;Date;Indicator;Value",
                'Ireland;24.09.2020;Persons checked;=HYPERLINK("http://evil.example/","click")',
                "Ireland;25.09.2020;Persons checked;+1-555-0100",
                "Ireland;26.09.2020;Persons checked;@SUM(A1:A9)",
                "Ireland;27.09.2020;Persons checked;-cmd|' /C calc'!A0",
            ]
        ),
        "IE_late_dates.csv": _csv(
            [
                "Country;Date;Indicator;Value",
                "Ireland;24.10.2020;Persons checked;410",
                "Ireland;25.10.2020;Persons checked;380",
            ]
        ),
        "IE_negative_and_absurd.csv": _csv(
            [
                "Country;Date;Indicator;Value",
                "Ireland;24.09.2020;Persons checked;-410",
                "Ireland;25.09.2020;Persons checked;999999999999",
            ]
        ),
        "HR_html.csv": _csv(
            [
                "Država;Datum;<script>alert('x')</script>;<img src=x onerror=alert(1)>",
                "Hrvatska;24.09.2020;5;6",
            ],
            "utf-8",
        ),
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return {**FILE_LEVEL, **CELL_LEVEL, "HR_html.csv": "unknown_label"}


def personal_data_workbook() -> bytes:
    """An arrest sheet as a service might really send it: names, dates of birth and
    passport and personal numbers beside the charges (headers in Croatian and English,
    and one column with no header whose values are identifiers)."""
    rows = [
        ["Država:", "Hrvatska"],
        [],
        ["Br.", "Datum", "Ime i prezime", "Datum rođenja", "Passport no.", None, "Kazneno djelo"],
    ]
    people = [
        ("Marko Marković", "1985-03-14", "AB1234567", "0103985710123"),
        ("Jovana Petrović", "1990-11-02", "CD7654321", "0211990715234"),
        ("Ivan Horvat", "1990-11-02", "CD7654321", "1504992330145"),
    ]
    for i, (name, born, passport, personal) in enumerate(people, start=1):
        rows.append([i, "25.09.2020", name, born, passport, personal, "Krijumčarenje migranata"])
    return xlsx_workbook(rows, "Uhićenja")


def million_rows_xlsx(path: Path, rows: int = 1_000_000) -> Path:
    """A sheet of a million rows, written as raw XML (openpyxl would take minutes)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>",
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        archive.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>",
        )
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            )
            for r in range(1, rows + 1):
                sheet.write(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>'.encode())
            sheet.write(b"</sheetData></worksheet>")
    return path


def badly_named(folder: Path) -> list[Path]:
    """Files whose names carry a control character or a backslash (not committable), each
    with its own content (the same bytes twice would be one file seen under two names)."""
    files = {
        folder / "IE_results\x07bell.xlsx": _results(["Country:", "Ireland"]),
        folder / "..\\..\\HR_escape.xlsx": _results(["Country:", "Croatia"]),
    }
    for path, data in files.items():
        path.write_bytes(data)
    return list(files)
