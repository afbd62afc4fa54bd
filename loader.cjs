// Loads the project's TypeScript for `pulumi up`, the offline plan and the tests. sucrase strips the types (no
// type-checking at run time; `npm test` type-checks with tsc) and keeps line numbers, so stack traces point at
// the .ts sources. Only .ts files are hooked, dependencies load at Node's own speed, and dynamic import() stays
// native for ES-module-only packages. Transpiled files are cached by content under node_modules/.cache.
const { createHash } = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const OPTIONS = { transforms: ["typescript", "imports"], preserveDynamicImport: true };
const CACHE = path.join(__dirname, "node_modules", ".cache", "eso-keyvault-ts");
const SALT = `${require("sucrase/package.json").version}:${JSON.stringify(OPTIONS)}`;
let sucrase;

require.extensions[".ts"] = function loadTypeScript(module, filename) {
    const source = fs.readFileSync(filename, "utf8");
    const cached = path.join(CACHE, `${createHash("sha1").update(SALT).update(source).digest("hex")}.js`);
    let code;
    try {
        code = fs.readFileSync(cached, "utf8");
    } catch {
        sucrase ??= require("sucrase");
        code = sucrase.transform(source, { ...OPTIONS, filePath: filename }).code;
        try {
            fs.mkdirSync(CACHE, { recursive: true });
            fs.writeFileSync(cached, code);
        } catch {
            // A read-only checkout still runs; it only transpiles again next time.
        }
    }
    module._compile(code, filename);
};
