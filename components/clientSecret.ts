import * as pulumi from "@pulumi/pulumi";
import { ApplicationPassword } from "@pulumi/azuread/applicationPassword";
import { DAY_MS } from "../stacks/limits";

export interface ClientSecretArgs {
    /** Resource id of the app registration (`/applications/<objectId>`), not its client id. */
    readonly applicationId: pulumi.Input<string>;
    /**
     * Password slot ESO uses. Switching slots rotates: the new slot's password is created, the credential Secret
     * is updated to it, and only at the end of the run is the old slot's password deleted.
     */
    readonly slot: "a" | "b";
    /** Days the password stays valid, counted from its creation. */
    readonly lifetimeDays: number;
    /**
     * Clock for the end date; tests pin it.
     * @default new Date()
     */
    readonly now?: Date;
}

/** A client secret (application password) in a named rotation slot. */
export class ClientSecret extends pulumi.ComponentResource {
    /** The password: a Pulumi secret. */
    public readonly value: pulumi.Output<string>;
    /** When the password expires (RFC 3339). */
    public readonly endDate: pulumi.Output<string>;

    constructor(name: string, args: ClientSecretArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eso-keyvault:identity:ClientSecret", name, {}, opts);

        const now = args.now ?? new Date();
        const password = new ApplicationPassword(
            `${name}-${args.slot}`,
            {
                applicationId: args.applicationId,
                displayName: `external-secrets slot ${args.slot}`,
                endDate: new Date(now.getTime() + args.lifetimeDays * DAY_MS).toISOString().replace(/\.\d{3}Z$/, "Z"),
            },
            // The end date is computed from the clock at creation. Ignoring later changes keeps every other
            // `pulumi up` from replacing the password; a new password comes only from switching slots.
            { parent: this, ignoreChanges: ["endDate"], additionalSecretOutputs: ["value"] },
        );

        this.value = pulumi.secret(password.value);
        this.endDate = password.endDate;
        this.registerOutputs({ value: this.value, endDate: this.endDate });
    }
}
