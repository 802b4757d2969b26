// The faster peer of the benchmark: SheetJS (npm `xlsx`, pinned in package.json) under Node.
//
// Reads every business case workbook in the folder given as peer.py does with pandas: every sheet of every
// workbook into rows of values (sheet_to_json with header: 1, the counterpart of read_excel(sheet_name=None)),
// reading only, and prints "files N", "cells N" and "seconds S" (wall time inside Node, after loading the library).
"use strict";
const fs = require("fs");
const path = require("path");
const XLSX = require("xlsx");

const folder = process.argv[2];
const files = fs.readdirSync(folder)
  .filter((f) => f.endsWith(".xlsx") && !f.endsWith(".resultat.xlsx"))
  .sort()
  .map((f) => path.join(folder, f));
const started = process.hrtime.bigint();
let cells = 0;
for (const file of files) {
  const workbook = XLSX.readFile(file);
  for (const name of workbook.SheetNames) {
    const rows = XLSX.utils.sheet_to_json(workbook.Sheets[name], { header: 1, defval: null });
    for (const row of rows) {
      cells += row.length;
    }
  }
}
const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
console.log(`files ${files.length}`);
console.log(`cells ${cells}`);
console.log(`seconds ${elapsed.toFixed(4)}`);
