// The yardstick for bench/scale.ts: registers K bare ExternalSecret custom resources with the Pulumi SDK on its mock
// runtime (no program, no components, no validation, no plan output) and waits for every registration to be
// answered. The spec has the shape the program's ExternalSecrets have, so both pay for the same serialization.
//
//   node --require ./loader.cjs bench/bareRegistrations.ts <K>
import * as pulumi from "@pulumi/pulumi";
import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import { waitForRpcs } from "../plan/pulumiInternals";

async function main(): Promise<void> {
    const count = Number(process.argv[2]);
    if (!Number.isInteger(count) || count < 0) throw new Error("usage: bareRegistrations.ts <count>");
    await pulumi.runtime.setMocks(
        {
            newResource: async (args) => ({ id: `${args.name}-id`, state: args.inputs }),
            call: async (args) => args.inputs,
        },
        "eso-keyvault",
        "bare",
        false,
    );
    for (let i = 0; i < count; i++) {
        new CustomResource(`es-${i}`, {
            apiVersion: "external-secrets.io/v1",
            kind: "ExternalSecret",
            metadata: {
                name: `es-${i}`,
                namespace: `apps-${i % 10}`,
                annotations: { "pulumi.com/waitFor": "condition=Ready", "pulumi.com/timeoutSeconds": "900" },
            },
            spec: {
                refreshInterval: "1h",
                secretStoreRef: { kind: "ClusterSecretStore", name: "azure-secret-store" },
                target: { name: `secret-${i}`, creationPolicy: "Owner" },
                // 1 or 2 entries, as bench/scale.ts generates them.
                data: Array.from({ length: 1 + (i % 2) }, (_, j) => ({
                    secretKey: `value-${j}`,
                    remoteRef: { key: `kv-secret-${i}-${j}` },
                })),
            },
        });
    }
    await waitForRpcs();
}

main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
});
