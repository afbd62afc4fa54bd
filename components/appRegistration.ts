import * as pulumi from "@pulumi/pulumi";
import { Application } from "@pulumi/azuread/application";
import { ApplicationApiAccess } from "@pulumi/azuread/applicationApiAccess";
import { ApplicationIdentifierUri } from "@pulumi/azuread/applicationIdentifierUri";
import { ServicePrincipal } from "@pulumi/azuread/servicePrincipal";
import { KEY_VAULT_API_CLIENT_ID, KEY_VAULT_USER_IMPERSONATION_SCOPE_ID } from "./wellKnown";

export interface AppRegistrationArgs {
    /** Display name of the app registration in Entra ID. */
    readonly displayName: pulumi.Input<string>;
    /** Object ids that own the registration and its service principal, so they can manage them later. */
    readonly owners: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * Set the owners at creation only. For owners taken from whoever deploys: otherwise a `pulumi up` from a laptop
     * and one from CI would keep rewriting them, and an identity managing apps it owns could lock itself out.
     * @default false
     */
    readonly ownersAtCreationOnly?: boolean;
}

/**
 * The Entra ID identity ESO signs in as: an app registration, its service principal, the delegated Key Vault
 * permission (`user_impersonation`) and the identifier URI `api://<clientId>` (the runbook's "expose an API").
 */
export class AppRegistration extends pulumi.ComponentResource {
    /** Resource id (`/applications/<objectId>`): what passwords and federated credentials attach to. */
    public readonly applicationId: pulumi.Output<string>;
    /** Application (client) id ESO authenticates with. */
    public readonly clientId: pulumi.Output<string>;
    /** Object id of the service principal: the principal of role assignments. */
    public readonly servicePrincipalObjectId: pulumi.Output<string>;

    constructor(name: string, args: AppRegistrationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eso-keyvault:identity:AppRegistration", name, {}, opts);

        const app = new Application(
            `${name}-app`,
            { displayName: args.displayName, owners: args.owners, signInAudience: "AzureADMyOrg" },
            // The API permission and identifier URI are managed by their own resources below; the provider asks
            // for these properties to be ignored on the application so the two never fight.
            {
                parent: this,
                ignoreChanges: [
                    "identifierUris",
                    "requiredResourceAccesses",
                    ...(args.ownersAtCreationOnly ? ["owners"] : []),
                ],
            },
        );

        const servicePrincipal = new ServicePrincipal(
            `${name}-sp`,
            { clientId: app.clientId, owners: args.owners },
            { parent: this, ignoreChanges: args.ownersAtCreationOnly ? ["owners"] : [] },
        );

        new ApplicationApiAccess(
            `${name}-keyvault-access`,
            {
                applicationId: app.id,
                apiClientId: KEY_VAULT_API_CLIENT_ID,
                scopeIds: [KEY_VAULT_USER_IMPERSONATION_SCOPE_ID],
            },
            { parent: this },
        );

        new ApplicationIdentifierUri(
            `${name}-identifier-uri`,
            { applicationId: app.id, identifierUri: pulumi.interpolate`api://${app.clientId}` },
            { parent: this },
        );

        this.applicationId = app.id;
        this.clientId = app.clientId;
        this.servicePrincipalObjectId = servicePrincipal.objectId;
        this.registerOutputs({
            applicationId: this.applicationId,
            clientId: this.clientId,
            servicePrincipalObjectId: this.servicePrincipalObjectId,
        });
    }
}
