// Parses Power Query M expressions with Microsoft's own parser (@microsoft/powerquery-parser), for
// PowerQueryParserFacts. Reads a JSON array of {"name", "text"} from standard input and writes a JSON array of
// {"name", "ok", "message", "line", "column"} (line and column 1-based, where the parser gives a position).
"use strict";
let PQP;
try {
    PQP = require("@microsoft/powerquery-parser");
} catch (error) {
    // Exit code 3: the parser cannot be had here (not installed, or this Node.js cannot load it); the test skips.
    process.stderr.write(`Cannot load @microsoft/powerquery-parser: ${error && error.message}`);
    process.exit(3);
}

function position(error) {
    const inner = error && error.innerError;
    const start = (inner && inner.foundToken && inner.foundToken.token && inner.foundToken.token.positionStart)
        || (inner && inner.graphemePosition);
    return start && typeof start.lineNumber === "number"
        ? { line: start.lineNumber + 1, column: (start.lineCodeUnit ?? start.columnNumber ?? 0) + 1 }
        : { line: null, column: null };
}

async function main() {
    const chunks = [];
    for await (const chunk of process.stdin) {
        chunks.push(chunk);
    }
    const expressions = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    const results = [];
    for (const { name, text } of expressions) {
        const task = await PQP.TaskUtils.tryLexParse(PQP.DefaultSettings, text);
        if (PQP.TaskUtils.isOk(task)) {
            results.push({ name, ok: true, message: null, line: null, column: null });
        } else {
            results.push({ name, ok: false, message: `${task.stage}: ${task.error.message}`, ...position(task.error) });
        }
    }
    process.stdout.write(JSON.stringify(results));
}

main().catch(error => {
    process.stderr.write(String(error && error.stack || error));
    process.exit(2);
});
