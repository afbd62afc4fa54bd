// Key Vault secret policies: what Microsoft's built-in Azure Policy definitions for Key Vault ask of each secret the
// program writes (built-in-policies/policyDefinitions/Key Vault/ in Azure/azure-policy: Secrets_ExpirationSet.json
// and Secrets_ContentTypeSet.json, both Audit by default; the first is in the Microsoft cloud security benchmark
// initiative, which assigns it Disabled unless set, the second is not).
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isType, onTypes, type Props, record, RESOURCE_TYPES, show } from "./common";

export const secretProperties = (props: Props): Props => record(props.properties) ?? {};

/**
 * Built-in policy 98728c90-32c7-4049-8429-847dc0f4fe37, "Key Vault secrets should have an expiration date": a secret
 * without `attributes.expiresOn` is non-compliant. Here also one written already expired: a date set in the past is
 * a rotation overdue on the day it is deployed.
 */
export function keyVaultSecretExpiration(clock: () => Date): ResourceValidationPolicy {
    return {
        name: "keyvault-secret-expiration",
        description:
            'Key Vault secrets have an expiration date in the future (built-in policy 98728c90-32c7-4049-8429-847dc0f4fe37, "Key Vault secrets should have an expiration date").',
        validateResource: onTypes(isType(RESOURCE_TYPES.keyVaultSecret), (props, _args, report) => {
            const expires = record(secretProperties(props).attributes)?.expires;
            if (typeof expires !== "number" || !Number.isFinite(expires)) {
                report(
                    `properties.attributes.expires is ${show(expires)}: give the secret an expiration date (seconds since 1970 UTC); ` +
                        'Azure Policy "Key Vault secrets should have an expiration date" (98728c90-32c7-4049-8429-847dc0f4fe37) flags a secret without one',
                );
                return;
            }
            const now = clock();
            if (expires * 1000 <= now.getTime()) {
                report(
                    `properties.attributes.expires is ${new Date(expires * 1000).toISOString()}, not after ${now.toISOString()}: ` +
                        "the secret is written already expired; rotate it and set a later expiry",
                );
            }
        }),
    };
}

/** Built-in policy 75262d3e-ba4a-4f43-85f8-9f72c090e5e3, "Secrets should have content type set". */
export const keyVaultSecretContentType: ResourceValidationPolicy = {
    name: "keyvault-secret-content-type",
    description:
        'Key Vault secrets have a content type (built-in policy 75262d3e-ba4a-4f43-85f8-9f72c090e5e3, "Secrets should have content type set").',
    validateResource: onTypes(isType(RESOURCE_TYPES.keyVaultSecret), (props, _args, report) => {
        const contentType = secretProperties(props).contentType;
        if (typeof contentType !== "string" || contentType === "") {
            report(
                `properties.contentType is ${show(contentType)}: say what the secret holds ("text/plain", "password", ...); ` +
                    'Azure Policy "Secrets should have content type set" (75262d3e-ba4a-4f43-85f8-9f72c090e5e3) flags a secret without one',
            );
        }
    }),
};
