"""Time the refusal of a spreadsheet with far too many rows; print a markdown table.

    .venv/bin/python bench/import_refusal.py [--rows 800000] [--repeat 3]

An officer's upload is read inside the web request, so a huge sheet holds a web worker
for as long as reading it takes. Each file below is made in memory, under the 5 MB upload
limit, and given to the upload form of the enterprise import (the form is where the view
spends its time: it reads the file, and refuses it, before anything is stored). The
table gives the median time of --repeat refusals and the peak memory Python allocated
for one (tracemalloc, measured in a separate run), and the message it ends with. No
database is used.
"""

import argparse
import io
import os
import statistics
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

import openpyxl  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.utils import translation  # noqa: E402

from entrepreneurs.importing import ENTERPRISE_COLUMNS, EnterpriseImporter  # noqa: E402

try:
    from toolkit.importing import UploadForm  # noqa: E402
except ImportError:  # the tree before the import machinery moved to toolkit
    from entrepreneurs.importing import UploadForm  # noqa: E402

HEADINGS = [column.heading for column in ENTERPRISE_COLUMNS if column.in_template]


def xlsx(rows, *, declare_size):
    """A workbook made by openpyxl's write-only mode, which declares no sheet size; with
    `declare_size` the <dimension> Excel itself writes is added."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(HEADINGS)
    for _ in range(rows):
        sheet.append([1])
    out = io.BytesIO()
    workbook.save(out)
    if not declare_size:
        return out.getvalue()
    sized = io.BytesIO()
    with zipfile.ZipFile(out) as source, zipfile.ZipFile(sized, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                dimension = f'<dimension ref="A1:L{rows + 1}" /><sheetViews>'.encode()
                data = data.replace(b"<sheetViews>", dimension, 1)
            zf.writestr(info, data)
    return sized.getvalue()


def csv(rows):
    return (",".join(HEADINGS) + "\n" + "ก,1\n" * rows).encode("utf-8-sig")


def refuse(name, content):
    form = UploadForm(
        data={},
        files={"file": SimpleUploadedFile(name, content)},
        importer=EnterpriseImporter(),
    )
    assert not form.is_valid(), "the file was accepted"
    return " ".join(form.errors["file"])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=800_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    files = [
        ("list.xlsx", "XLSX, no declared size (openpyxl)", xlsx(args.rows, declare_size=False)),
        ("list.xlsx", "XLSX, declared size (as Excel)", xlsx(args.rows, declare_size=True)),
        ("list.csv", "CSV", csv(args.rows)),
    ]
    print(f"limit: IMPORT_MAX_ROWS = {getattr(settings, 'IMPORT_MAX_ROWS', 5000):,}")
    print()
    print("| file | size | rows | median s | peak MB | message |")
    print("|---|--:|--:|--:|--:|---|")
    with translation.override("en"):
        for name, label, content in files:
            times = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                message = refuse(name, content)
                times.append(time.perf_counter() - start)
            tracemalloc.start()
            refuse(name, content)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            print(
                f"| {label} | {len(content) / 1e6:.1f} MB | {args.rows:,} "
                f"| {statistics.median(times):.2f} | {peak / 1e6:.0f} | {message} |"
            )


if __name__ == "__main__":
    main()
