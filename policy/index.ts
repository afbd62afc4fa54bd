// The policy pack that `pulumi preview --policy-pack policy` runs. Constructing a PolicyPack reads the pack's version
// from ./package.json in the working directory (Pulumi starts the pack in this folder) and starts the analyzer's gRPC
// server, so this file does only that; the policies live in ./policies, which tests and the offline plan import alone.
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("eso-keyvault", {
    description: "Least privilege and hardening for External Secrets Operator with Azure Key Vault.",
    // Every policy guards against a weaker secret path than the runbook's, so a violation stops the update.
    enforcementLevel: "mandatory",
    policies,
});
