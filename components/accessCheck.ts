import * as pulumi from "@pulumi/pulumi";
import { Command } from "@pulumi/command/local";
import { type AzureCloud, ENTRA_AUTHORITY, KEY_VAULT_DNS_SUFFIX } from "./wellKnown";

/** Who the check signs in as: ESO's identity, with credentials the deploying machine can obtain. */
export type AccessCheckIdentity =
    | {
          readonly mode: "servicePrincipal";
          readonly tenantId: pulumi.Input<string>;
          readonly clientId: pulumi.Input<string>;
          /** The client secret ESO uses: a Pulumi secret, passed to the check in its environment only. */
          readonly clientSecret: pulumi.Input<string>;
      }
    | {
          readonly mode: "workloadIdentity";
          readonly tenantId: pulumi.Input<string>;
          readonly clientId: pulumi.Input<string>;
          /** The service account ESO signs in as; the check requests a token for it with `kubectl create token`. */
          readonly serviceAccount: { readonly namespace: pulumi.Input<string>; readonly name: pulumi.Input<string> };
          /**
           * Kubeconfig contents or path for kubectl.
           * @default the ambient kubeconfig
           */
          readonly kubeconfig?: pulumi.Input<string>;
          /**
           * Kubeconfig context for kubectl.
           * @default the current context
           */
          readonly context?: string;
      };

export interface AccessCheckArgs {
    /** The identity whose access is checked, as ESO signs in. */
    readonly identity: AccessCheckIdentity;
    /** Key Vault URI, such as https://name.vault.azure.net/. */
    readonly vaultUrl: pulumi.Input<string>;
    /** Azure cloud of the vault and of Entra ID. */
    readonly cloud: AzureCloud;
    /**
     * Key Vault objects to read as ESO will (`name`, `cert/name`, `key/name`), and `*` to list secrets; those the
     * stack creates resolve once they exist (VaultSecrets.reference).
     */
    readonly objects: readonly pulumi.Input<string>[];
    /** What must exist before access can work: role assignments, the password or federated credential, the account. */
    readonly after: readonly pulumi.Resource[];
    /** Seconds to keep trying before `pulumi up` fails. */
    readonly timeoutSeconds: number;
}

/** `<result>-<verifiedAt>` from the probe's one-line JSON report; the raw text if it is not one. */
export function verificationOf(stdout: string): string {
    try {
        const report = JSON.parse(stdout) as { result?: unknown; verifiedAt?: unknown };
        return `${String(report.result)}-${String(report.verifiedAt)}`;
    } catch {
        return stdout.trim();
    }
}

/** The command the check runs, from the project directory (where `pulumi up` runs the program). */
export const ACCESS_CHECK_COMMAND = "node --require ./loader.cjs probe/verifyAccess.ts";

/**
 * Proves, during `pulumi up`, that ESO's identity can read what its ExternalSecrets name, by signing in as that
 * identity and reading from Key Vault until it works (probe/verifyAccess.ts). Azure RBAC may take 10 minutes to apply
 * a new role assignment, and ESO retries a failed sync only at 511 s and then 931 s after its first try; applying
 * ExternalSecrets after this check instead makes their first sync succeed, so `up` waits for RBAC and no longer.
 * It runs again when the identity, its grants or the objects change, and `verification` changes with it: the
 * ExternalSecrets carry it as ESO's `force-sync` annotation, so ESO re-reads at once instead of waiting out its
 * back-off. Where the deploying machine cannot reach the vault (a firewall) or cannot get a token (no kubectl), the
 * check reports itself skipped and the ExternalSecrets' own Ready wait, sized for ESO's retries, applies.
 */
export class AccessCheck extends pulumi.ComponentResource {
    /** Changes each time the check passes again: `verifiedAt` of the probe's report. */
    public readonly verification: pulumi.Output<string>;
    /** The check, for `dependsOn`: ExternalSecrets are applied after it passes. */
    public readonly command: Command;

    constructor(name: string, args: AccessCheckArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eso-keyvault:identity:AccessCheck", name, {}, opts);

        const { identity } = args;
        const environment: Record<string, pulumi.Input<string>> = {
            PROBE_MODE: identity.mode,
            PROBE_VAULT_URL: args.vaultUrl,
            PROBE_OBJECTS: pulumi.all([...args.objects]).apply((objects) => JSON.stringify(objects)),
            PROBE_TENANT_ID: identity.tenantId,
            PROBE_CLIENT_ID: identity.clientId,
            PROBE_AUTHORITY: ENTRA_AUTHORITY[args.cloud],
            PROBE_SCOPE: `https://${KEY_VAULT_DNS_SUFFIX[args.cloud]}/.default`,
            PROBE_TIMEOUT_SECONDS: String(args.timeoutSeconds),
        };
        if (identity.mode === "servicePrincipal") {
            environment.PROBE_CLIENT_SECRET = pulumi.secret(identity.clientSecret);
        } else {
            environment.PROBE_SERVICE_ACCOUNT = pulumi.interpolate`${identity.serviceAccount.namespace}/${identity.serviceAccount.name}`;
            if (identity.kubeconfig !== undefined) environment.PROBE_KUBECONFIG = pulumi.secret(identity.kubeconfig);
            if (identity.context !== undefined) environment.PROBE_KUBE_CONTEXT = identity.context;
        }

        this.command = new Command(
            `${name}-probe`,
            {
                create: ACCESS_CHECK_COMMAND,
                environment,
                // A replaced role assignment or credential must be checked again.
                triggers: args.after.map((resource) =>
                    pulumi.CustomResource.isInstance(resource) ? resource.id : pulumi.output(""),
                ),
            },
            { parent: this, dependsOn: [...args.after] },
        );
        this.verification = this.command.stdout.apply(verificationOf);
        this.registerOutputs({ verification: this.verification });
    }
}
