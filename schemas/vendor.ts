// Vendors the schemas of the ESO objects the program emits, from the CRDs of ESO's Helm chart, and generates their
// validators. Run it when the default chart version (stacks/schema.ts) changes:
//
//   helm template external-secrets external-secrets/external-secrets --version <v> --include-crds \
//       --output-dir /tmp/eso                               # the chart's CRDs, rendered
//   node --require ./loader.cjs schemas/vendor.ts /tmp/eso/external-secrets/templates/crds <v>
//
// For each kind below it finds the CustomResourceDefinition among the YAML files of the directory, keeps the
// openAPIV3Schema of the served version the program uses as `eso-<v>/<Kind>.json` (verbatim), and writes the
// validator generated from it as `eso-<v>/<Kind>.js`. Then set ESO_SCHEMA_VERSION in schemas/eso.ts.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { loadAll } from "js-yaml";
import { compileValidator } from "./generate";
import { ESO_KINDS } from "./eso";

interface Crd {
    kind?: string;
    spec?: {
        group: string;
        names: { kind: string };
        versions: Array<{ name: string; served: boolean; schema?: { openAPIV3Schema?: unknown } }>;
    };
}

function main(): void {
    const [dir, version] = process.argv.slice(2);
    if (dir === undefined || version === undefined) {
        throw new Error("usage: node --require ./loader.cjs schemas/vendor.ts <dir of CRD YAML files> <chart version>");
    }
    const crds = readdirSync(dir)
        .filter((file) => /\.ya?ml$/.test(file))
        .flatMap((file) => loadAll(readFileSync(path.join(dir, file), "utf8")) as Crd[])
        .filter((doc) => doc?.kind === "CustomResourceDefinition");
    const out = path.join(__dirname, `eso-${version}`);
    mkdirSync(out, { recursive: true });
    for (const { apiVersion, kind } of ESO_KINDS) {
        const [group, served] = apiVersion.split("/");
        const crd = crds.find((c) => c.spec?.group === group && c.spec.names.kind === kind);
        const schema = crd?.spec?.versions.find((v) => v.name === served && v.served)?.schema?.openAPIV3Schema;
        if (schema === undefined) throw new Error(`no served ${apiVersion} ${kind} schema in ${dir}`);
        writeFileSync(path.join(out, `${kind}.json`), `${JSON.stringify(schema, null, 1)}\n`);
        writeFileSync(path.join(out, `${kind}.js`), compileValidator(schema));
        console.log(`${apiVersion} ${kind}: eso-${version}/${kind}.json, eso-${version}/${kind}.js`);
    }
}

main();
