import * as pulumi from "@pulumi/pulumi";
import { AppRegistration } from "./appRegistration";
import { ClientSecret } from "./clientSecret";
import { FederatedCredential } from "./federatedCredential";
import { VaultAccess, type VaultGrants } from "./vaultAccess";

/**
 * How ESO signs in to Azure: the one model of the stack's authentication, which configuration resolves into and
 * every identity (the shared one and each tenant's) is built from. Each mode carries only what it needs, so invalid
 * mixes do not type-check.
 */
export type EsoAuth =
    | {
          /** An app registration with a client secret kept in a Kubernetes Secret (the runbook's way). */
          readonly mode: "servicePrincipal";
          readonly displayName: string;
          /**
           * Object ids that own the app registration.
           * @default whoever first deploys it
           */
          readonly owners?: readonly string[];
          /** Live password slot; switching it rotates the password without a gap. */
          readonly passwordSlot: "a" | "b";
          readonly passwordLifetimeDays: number;
          /** The Kubernetes Secret the store reads the credentials from: its name and keys. */
          readonly credentialSecret: {
              readonly name: string;
              readonly clientIdKey: string;
              readonly clientSecretKey: string;
          };
      }
    | {
          /** An app registration trusting the cluster's service account tokens: no secret at all. */
          readonly mode: "workloadIdentity";
          readonly displayName: string;
          /**
           * Object ids that own the app registration.
           * @default whoever first deploys it
           */
          readonly owners?: readonly string[];
          /**
           * The cluster's OIDC issuer, exactly as its tokens carry it.
           * @default the issuer read from the AKS cluster (EsoIdentityArgs.clusterIssuer)
           */
          readonly oidcIssuerUrl?: string;
          /** The service account the store signs in as. */
          readonly serviceAccountName: string;
      }
    | {
          /** A user-assigned managed identity that already exists and is attached to the cluster's nodes. */
          readonly mode: "managedIdentity";
          readonly clientId: string;
          readonly principalId: string;
      };

/** What signing in takes beyond the client id, per mode. */
export type EsoCredentials =
    | {
          readonly mode: "servicePrincipal";
          /** The client secret: a Pulumi secret. */
          readonly clientSecret: pulumi.Output<string>;
          /** When it expires (RFC 3339). */
          readonly expiresOn: pulumi.Output<string>;
      }
    | { readonly mode: "workloadIdentity" }
    | { readonly mode: "managedIdentity" };

export interface EsoIdentityArgs {
    /** How ESO signs in. */
    readonly auth: EsoAuth;
    /**
     * Service accounts that sign in with workload identity, one federated credential each.
     * @default none
     */
    readonly serviceAccounts?: ReadonlyArray<{ readonly namespace: string; readonly name: string }>;
    /** Object id of whoever deploys: the owner of app registrations created without configured owners. */
    readonly deployer: pulumi.Input<string>;
    /** Subscription of the vault, for role definition ids. */
    readonly subscriptionId: pulumi.Input<string>;
    /** What the identity may read: the vault, or single objects for least privilege. */
    readonly grants: VaultGrants;
    /**
     * The cluster's OIDC issuer as Azure reports it, when the stack names its AKS cluster instead of configuring
     * `auth.oidcIssuerUrl`.
     * @default none
     */
    readonly clusterIssuer?: pulumi.Input<string>;
    /**
     * Clock for password end dates; tests pin it.
     * @default new Date()
     */
    readonly now?: Date;
}

/** The Azure identity ESO signs in as, in one of three modes, with its Key Vault roles on the given scopes. */
export class EsoIdentity extends pulumi.ComponentResource {
    /** Client id ESO presents. */
    public readonly clientId: pulumi.Output<string>;
    /**
     * The client id, once the identity may read: its role assignments (and federated credentials) exist. What signs
     * in with it (a store, an access check) is applied after them by construction.
     */
    public readonly grantedClientId: pulumi.Output<string>;
    /** What signing in takes besides the client id. */
    public readonly credentials: EsoCredentials;
    /** The role assignments and federated credentials, for an access check's triggers. */
    public readonly grants: readonly pulumi.CustomResource[];

    constructor(name: string, args: EsoIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eso-keyvault:identity:EsoIdentity", name, {}, opts);
        const { auth } = args;
        const access = (principalId: pulumi.Input<string>): VaultAccess =>
            new VaultAccess(
                `${name}-access`,
                { principalId, subscriptionId: args.subscriptionId, grants: args.grants },
                { parent: this },
            );

        if (auth.mode === "managedIdentity") {
            this.clientId = pulumi.output(auth.clientId);
            this.credentials = { mode: "managedIdentity" };
            this.grants = access(auth.principalId).assignments;
        } else {
            // Configured owners are kept so; without them, whoever first deploys owns the app, set at creation only.
            const app = new AppRegistration(
                `${name}-identity`,
                {
                    displayName: auth.displayName,
                    owners: auth.owners === undefined ? [args.deployer] : [...auth.owners],
                    ownersAtCreationOnly: auth.owners === undefined,
                },
                { parent: this },
            );
            this.clientId = app.clientId;
            const assignments = access(app.servicePrincipalObjectId).assignments;
            if (auth.mode === "servicePrincipal") {
                const password = new ClientSecret(
                    `${name}-password`,
                    {
                        applicationId: app.applicationId,
                        slot: auth.passwordSlot,
                        lifetimeDays: auth.passwordLifetimeDays,
                        now: args.now,
                    },
                    { parent: this },
                );
                this.credentials = {
                    mode: "servicePrincipal",
                    clientSecret: password.value,
                    expiresOn: password.endDate,
                };
                this.grants = assignments;
            } else {
                const issuer = auth.oidcIssuerUrl ?? args.clusterIssuer;
                if (issuer === undefined) {
                    throw new Error(`${name}: workload identity needs auth.oidcIssuerUrl or the AKS cluster's issuer`);
                }
                const federations = (args.serviceAccounts ?? []).map(
                    (account) =>
                        new FederatedCredential(
                            `${name}-federation-${account.namespace}-${account.name}`,
                            {
                                applicationId: app.applicationId,
                                issuer,
                                serviceAccountNamespace: account.namespace,
                                serviceAccountName: account.name,
                            },
                            { parent: this },
                        ),
                );
                this.credentials = { mode: "workloadIdentity" };
                this.grants = [...assignments, ...federations.map((f) => f.credential)];
            }
        }
        this.grantedClientId = pulumi
            .all([this.clientId, ...this.grants.map((grant) => grant.id)])
            .apply(([clientId]) => clientId);
        this.registerOutputs({ clientId: this.clientId, grantedClientId: this.grantedClientId });
    }
}
