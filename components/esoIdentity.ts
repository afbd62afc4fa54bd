import * as pulumi from "@pulumi/pulumi";
import { AppRegistration } from "./appRegistration";
import { ClientSecret } from "./clientSecret";
import { FederatedCredential } from "./federatedCredential";
import { VaultAccess, type VaultGrants } from "./vaultAccess";

/** How ESO authenticates to Azure. Each mode carries only what it needs, so invalid mixes do not type-check. */
export type IdentityMode =
    | {
          /** An app registration with a client secret kept in a Kubernetes Secret (the runbook's way). */
          readonly mode: "servicePrincipal";
          readonly displayName: string;
          /** Live password slot; switching it rotates the password without a gap. */
          readonly passwordSlot: "a" | "b";
          readonly passwordLifetimeDays: number;
      }
    | {
          /** An app registration trusting Kubernetes service accounts' tokens: no secret at all. */
          readonly mode: "workloadIdentity";
          readonly displayName: string;
          readonly oidcIssuerUrl: string;
          /** Service accounts that sign in as this identity, one federated credential each. */
          readonly serviceAccounts: ReadonlyArray<{ readonly namespace: string; readonly name: string }>;
      }
    | {
          /** A user-assigned managed identity that already exists and is attached to the cluster's nodes. */
          readonly mode: "managedIdentity";
          readonly clientId: string;
          readonly principalId: string;
      };

export interface EsoIdentityArgs {
    /** How ESO authenticates, with what that mode needs. */
    readonly identity: IdentityMode;
    /** Owners of created app registrations, and whether they are set at creation only (see AppRegistration). */
    readonly owners: { readonly ids: pulumi.Input<pulumi.Input<string>[]>; readonly atCreationOnly: boolean };
    /** Subscription of the vault, for role definition ids. */
    readonly subscriptionId: pulumi.Input<string>;
    /** What the identity may read: the vault, or single objects for least privilege. */
    readonly grants: VaultGrants;
    /**
     * Clock for password end dates; tests pin it.
     * @default new Date()
     */
    readonly now?: Date;
}

/** The Azure identity ESO signs in as, in one of three modes, with "Key Vault Secrets User" on the given scopes. */
export class EsoIdentity extends pulumi.ComponentResource {
    /** Client id ESO presents. */
    public readonly clientId: pulumi.Output<string>;
    /** The client secret, a Pulumi secret; only in servicePrincipal mode. */
    public readonly clientSecret?: pulumi.Output<string>;
    /** When the client secret expires; only in servicePrincipal mode. */
    public readonly clientSecretExpiresOn?: pulumi.Output<string>;
    /** What must exist before ESO can read the vault: role assignments and, for workload identity, the federation. */
    public readonly grants: readonly pulumi.Resource[];

    constructor(name: string, args: EsoIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eso-keyvault:identity:EsoIdentity", name, {}, opts);
        const { identity } = args;
        const access = (principalId: pulumi.Input<string>): VaultAccess =>
            new VaultAccess(
                `${name}-access`,
                { principalId, subscriptionId: args.subscriptionId, grants: args.grants },
                { parent: this },
            );

        if (identity.mode === "managedIdentity") {
            this.clientId = pulumi.output(identity.clientId);
            this.grants = access(identity.principalId).assignments;
        } else {
            const app = new AppRegistration(
                `${name}-identity`,
                {
                    displayName: identity.displayName,
                    owners: args.owners.ids,
                    ownersAtCreationOnly: args.owners.atCreationOnly,
                },
                { parent: this },
            );
            this.clientId = app.clientId;
            const assignments = access(app.servicePrincipalObjectId).assignments;
            if (identity.mode === "servicePrincipal") {
                const password = new ClientSecret(
                    `${name}-password`,
                    {
                        applicationId: app.applicationId,
                        slot: identity.passwordSlot,
                        lifetimeDays: identity.passwordLifetimeDays,
                        now: args.now,
                    },
                    { parent: this },
                );
                this.clientSecret = password.value;
                this.clientSecretExpiresOn = password.endDate;
                this.grants = assignments;
            } else {
                const federations = identity.serviceAccounts.map(
                    (account) =>
                        new FederatedCredential(
                            `${name}-federation-${account.namespace}-${account.name}`,
                            {
                                applicationId: app.applicationId,
                                issuer: identity.oidcIssuerUrl,
                                serviceAccountNamespace: account.namespace,
                                serviceAccountName: account.name,
                            },
                            { parent: this },
                        ),
                );
                this.grants = [...assignments, ...federations.map((f) => f.credential)];
            }
        }
        this.registerOutputs({ clientId: this.clientId, clientSecretExpiresOn: this.clientSecretExpiresOn });
    }
}
