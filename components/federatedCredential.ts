import * as pulumi from "@pulumi/pulumi";
import { ApplicationFederatedIdentityCredential } from "@pulumi/azuread/applicationFederatedIdentityCredential";
import { serviceAccountSubject, WORKLOAD_IDENTITY } from "./wellKnown";

export interface FederatedCredentialArgs {
    /** Resource id of the app registration (`/applications/<objectId>`). */
    readonly applicationId: pulumi.Input<string>;
    /** The cluster's OIDC issuer URL. */
    readonly issuer: pulumi.Input<string>;
    /** Namespace of the Kubernetes service account that signs in. */
    readonly serviceAccountNamespace: string;
    /** Name of that service account. */
    readonly serviceAccountName: string;
}

/**
 * Lets one Kubernetes service account sign in as the app registration with its projected token (Azure AD Workload
 * Identity): no password exists to expire or leak.
 */
export class FederatedCredential extends pulumi.ComponentResource {
    /** The credential resource, for `dependsOn`: sign-ins fail until it exists. */
    public readonly credential: ApplicationFederatedIdentityCredential;
    public readonly subject: string;

    constructor(name: string, args: FederatedCredentialArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eso-keyvault:identity:FederatedCredential", name, {}, opts);

        this.subject = serviceAccountSubject(args.serviceAccountNamespace, args.serviceAccountName);
        this.credential = new ApplicationFederatedIdentityCredential(
            `${name}-credential`,
            {
                applicationId: args.applicationId,
                // Unique per application; letters, digits, hyphens and underscores.
                displayName: `${args.serviceAccountNamespace}-${args.serviceAccountName}`.replace(
                    /[^A-Za-z0-9_-]/g,
                    "-",
                ),
                description: `Kubernetes service account ${args.serviceAccountNamespace}/${args.serviceAccountName}`,
                audiences: [WORKLOAD_IDENTITY.audience],
                issuer: args.issuer,
                subject: this.subject,
            },
            { parent: this },
        );
        this.registerOutputs({ subject: this.subject });
    }
}
