// Limits that both the stack configuration (schema.ts) and the policy pack (policy/) enforce, stated once here.

/** Key Vault accepts 7-90 days of soft-delete retention, set when the vault is created. */
export const SOFT_DELETE_RETENTION_DAYS = { min: 7, max: 90 } as const;

/** Entra ID allows client secrets up to 24 months, Microsoft recommends under 12: the project caps them at 365 days. */
export const MAX_PASSWORD_LIFETIME_DAYS = 365;

/** Milliseconds per day. */
export const DAY_MS = 24 * 60 * 60 * 1000;
