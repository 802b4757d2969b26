"""The peer of the benchmark: what a BI team would otherwise build, a Python ETL with pandas and openpyxl.

Reads every business case workbook in the folder given with
pandas.read_excel(path, sheet_name=None, engine="openpyxl"), reading only, and prints
"seconds S" (wall time inside Python, after the imports) and "files N".
"""
import glob
import os
import sys
import time

import pandas

folder = sys.argv[1]
files = sorted(f for f in glob.glob(os.path.join(folder, "*.xlsx")) if not f.endswith(".resultat.xlsx"))
started = time.perf_counter()
cells = 0
for path in files:
    sheets = pandas.read_excel(path, sheet_name=None, engine="openpyxl")
    cells += sum(frame.size for frame in sheets.values())
elapsed = time.perf_counter() - started
print(f"files {len(files)}")
print(f"cells {cells}")
print(f"seconds {elapsed:.4f}")
