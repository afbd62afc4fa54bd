// Validators of single values, at their edges: what each accepts, what it refuses, and the rule it states.
import { strict as assert } from "node:assert";
import * as v from "valibot";
import * as rules from "../stacks/rules";

/** The value a schema gives, or the message it refuses `input` with. */
function check(schema: v.GenericSchema, input: unknown): { value: unknown } | { refused: string } {
    const result = v.safeParse(schema, input);
    return result.success ? { value: result.output } : { refused: result.issues[0].message };
}

const accepted = (schema: v.GenericSchema, input: unknown, value: unknown = input) =>
    assert.deepEqual(check(schema, input), { value }, JSON.stringify(input));
const refused = (schema: v.GenericSchema, input: unknown, message: string) =>
    assert.deepEqual(check(schema, input), { refused: message }, JSON.stringify(input));

describe("value rules", () => {
    it("reads booleans and whole numbers that `pulumi config set --path` stores as strings", () => {
        accepted(rules.bool(), "true", true);
        accepted(rules.bool(), "false", false);
        accepted(rules.bool(), true);
        refused(rules.bool(), "yes", "use true or false");
        const days = rules.integer(7, 90, "days");
        accepted(days, "30", 30);
        accepted(days, 30);
        for (const bad of ["", " 30", "30x", "x30", "3.5", null, [], {}]) {
            refused(days, bad, "use a whole number from 7 to 90 (days)");
        }
        refused(days, "-7", "use a whole number from 7 to 90 (days)");
        // Only digit strings become numbers: null, "" and [] would otherwise read as 0.
        const count = rules.integer(0, 10, "count");
        accepted(count, "0", 0);
        for (const bad of [null, "", []]) refused(count, bad, "use a whole number from 0 to 10 (count)");
    });

    it("takes Key Vault names as Azure does: 3-24, a letter first, no trailing or doubled hyphen", () => {
        const rule =
            "use 3-24 letters, digits and hyphens, starting with a letter, ending with a letter or digit, without consecutive hyphens (Azure Key Vault naming)";
        for (const name of ["kv1", "kv-platform-dev", "a".repeat(24)]) accepted(rules.vaultName(), name);
        for (const name of ["1kv", "kv-", "kv--dev", "kv-dev--x", "kv", "a".repeat(25), "kv_dev"]) {
            refused(rules.vaultName(), name, rule);
        }
    });

    it("takes only exact chart versions, pre-release and build included", () => {
        const rule =
            'use an exact semantic version such as "2.9.0" (ranges and "latest" are not allowed: pin what you deploy)';
        for (const version of ["2.9.0", "2.9.10", "10.1.0", "2.9.0-rc.1", "2.9.0+build.5", "2.9.0-rc.1+build"]) {
            accepted(rules.chartVersion(), version);
        }
        for (const version of ["latest", "2.9", "^2.9.0", "2.9.0 || 3", "2.9.0x", "v2.9.0", "2.9.0+"]) {
            refused(rules.chartVersion(), version, rule);
        }
    });

    it("reads Go durations in h, m, s and ms, and nothing else", () => {
        assert.equal(rules.durationSeconds("90s"), 90);
        assert.equal(rules.durationSeconds("1h30m"), 5400);
        assert.equal(rules.durationSeconds("1.5h"), 5400);
        assert.equal(rules.durationSeconds("1.25h"), 4500);
        assert.equal(rules.durationSeconds("1500ms"), 1.5);
        for (const bad of ["", "abc", "x1h", "1hx", "1d", "1.h", "-1h"]) {
            assert.equal(rules.durationSeconds(bad), undefined, bad);
        }
    });

    it("takes refresh intervals of at least a minute, or 0 for once", () => {
        const rule = 'use a duration of at least 1m such as "15m" or "1h", or "0" to sync once';
        for (const interval of ["0", "1m", "60s", "1h", "0.5h"]) accepted(rules.refreshInterval(), interval);
        for (const interval of ["59s", "30s", "0s", "1x", ""]) refused(rules.refreshInterval(), interval, rule);
    });

    it("takes images pinned by tag or digest, never :latest", () => {
        const image = rules.containerImage();
        accepted(image, "registry.k8s.io/pause:3.10");
        accepted(image, "registry.example.com:5000/app:latest-2024");
        accepted(image, `ghcr.io/app@sha256:${"a".repeat(64)}`);
        accepted(image, "a:1");
        refused(image, "nginx:latest", 'pin the image to a version: ":latest" changes under you');
        for (const bad of ["-nginx:1.0", "nginx:1.0 extra", "Nginx:1.0"]) {
            refused(image, bad, 'use an image reference pinned by tag or digest, such as "registry.k8s.io/pause:3.10"');
        }
        refused(image, "nginx", 'use an image reference pinned by tag or digest, such as "registry.k8s.io/pause:3.10"');
    });

    it("takes an OIDC issuer as an https URL without query, fragment or credentials", () => {
        const rule =
            "use the cluster's OIDC issuer, an https URL such as https://westeurope.oic.prod-aks.azure.com/<tenant>/<id>/ (az aks show --query oidcIssuerProfile.issuerUrl)";
        accepted(rules.issuerUrl(), "https://westeurope.oic.prod-aks.azure.com/t/c/");
        for (const url of [
            "http://westeurope.oic.prod-aks.azure.com/t/c/",
            "https://issuer.example/t/?x=1",
            "https://issuer.example/t/#frag",
            "https://user@issuer.example/t/",
            "not a url",
        ]) {
            refused(rules.issuerUrl(), url, rule);
        }
    });

    it("takes maps, never lists or null, which a map of indexes would otherwise accept", () => {
        const map = rules.map(v.string(), v.string(), "use a map of names to values");
        accepted(map, { a: "b" });
        for (const bad of [["b"], null, "a=b"]) refused(map, bad, "use a map of names to values");
    });
});
