"""Has every business case workbook in a folder written by openpyxl, for `--writer openpyxl`.

The issue measured over openpyxl-written business cases, as a Python team's workbooks would be, rather than the
benchmark's own generator. Each workbook is loaded and saved again with openpyxl, which writes every part anew
(its own shared strings, styles and zip), keeping the cells, sheets and names the generator put there. Prints
"files N".
"""
import glob
import os
import sys

import openpyxl

folder = sys.argv[1]
files = sorted(f for f in glob.glob(os.path.join(folder, "*.xlsx")) if not f.endswith(".resultat.xlsx"))
for path in files:
    stat = os.stat(path)
    workbook = openpyxl.load_workbook(path)
    workbook.save(path)
    # The generator's modification times, so that the data stays the same from one run to the next.
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
print(f"files {len(files)}")
