import * as pulumi from "@pulumi/pulumi";
import * as keyvault from "@pulumi/azure-native/keyvault";
import { DAY_MS } from "../stacks/limits";

/**
 * When a seeded secret expires: on a fixed day (midnight UTC), or a number of days after it is created. The expiry
 * marks the secret due for rotation (Azure Policy and Defender report it); Key Vault does not enforce it on reads
 * (docs/troubleshooting.md).
 */
export type SecretExpiry = { readonly on: string } | { readonly afterDays: number };

/** One secret to write into Key Vault. */
export interface SeededSecret {
    /** The value: should be a Pulumi secret; it is wrapped again to be sure. */
    readonly value: pulumi.Input<string>;
    /** What the value is ("text/plain", "password", ...): Key Vault's `contentType`. */
    readonly contentType: string;
    readonly expiry: SecretExpiry;
}

export interface VaultSecretsArgs {
    /** Resource group of the vault. */
    readonly resourceGroupName: pulumi.Input<string>;
    /** Vault that receives the secrets. */
    readonly vaultName: pulumi.Input<string>;
    /** Key Vault secret name -> the secret. */
    readonly secrets: Readonly<Record<string, SeededSecret>>;
    /**
     * Clock that `expiry.afterDays` counts from; tests pin it.
     * @default new Date()
     */
    readonly now?: Date;
}

/** The input path of a secret's expiry. */
export const EXPIRES_PATH = "properties.attributes.expires";

/** Seconds since 1970 UTC, as Key Vault's `attributes.expires` takes them. */
export function expiresAt(expiry: SecretExpiry, now: Date): number {
    const time = "on" in expiry ? Date.parse(`${expiry.on}T00:00:00Z`) : now.getTime() + expiry.afterDays * DAY_MS;
    return Math.floor(time / 1000);
}

/**
 * Secrets written into Key Vault through ARM (the runbook's `az keyvault secret set`), each with a content type and an
 * expiry. Removing one from the configuration leaves it in the vault; the stack stops managing it.
 */
export class VaultSecrets extends pulumi.ComponentResource {
    /** Key Vault secret name -> ARM resource id (`<vaultId>/secrets/<name>`), a role assignment scope. */
    public readonly secretIds: Readonly<Record<string, pulumi.Output<string>>>;

    constructor(name: string, args: VaultSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eso-keyvault:vault:VaultSecrets", name, {}, opts);

        const now = args.now ?? new Date();
        const secretIds: Record<string, pulumi.Output<string>> = {};
        for (const [secretName, secret] of Object.entries(args.secrets)) {
            const created = new keyvault.Secret(
                `${name}-${secretName}`,
                {
                    resourceGroupName: args.resourceGroupName,
                    vaultName: args.vaultName,
                    secretName,
                    properties: {
                        value: pulumi.secret(secret.value),
                        contentType: secret.contentType,
                        attributes: { expires: expiresAt(secret.expiry, now) },
                    },
                },
                {
                    parent: this,
                    // Key Vault deletes secrets only through its data plane (azure-native customresources/
                    // custom_keyvault.go), which the deploying identity's ARM roles do not reach, and a deleted name
                    // stays soft-deleted and cannot be written again. So a secret is left in the vault when it leaves
                    // the configuration, and goes with its vault when the stack is destroyed.
                    retainOnDelete: true,
                    // An expiry counted from the clock would move on every `pulumi up` and update every secret each
                    // time: it is set when the secret is created and kept after. A fixed day (`expiry.on`) is a
                    // stable input, applied on every update, so changing it renews the secret.
                    ignoreChanges: "afterDays" in secret.expiry ? [EXPIRES_PATH] : [],
                },
            );
            secretIds[secretName] = created.id;
        }
        this.secretIds = secretIds;
        this.registerOutputs({ secretIds });
    }

    /**
     * A Key Vault object reference as ESO reads it (`name`, `secret/name`, `cert/name`, `key/name`), resolved once
     * the secret exists when this stack seeds it: what reads it (an access check, an ExternalSecret) waits for that.
     */
    public reference(reference: string): pulumi.Input<string> {
        const created = /^(secret\/)?([^/]+)$/.exec(reference)?.[2];
        const id = created === undefined ? undefined : this.secretIds[created];
        return id === undefined ? reference : id.apply(() => reference);
    }
}
