import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/", "out/", ".stryker-tmp/", "reports/", "schemas/eso-*/"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        rules: {
            // Defaults with `??`: `||` would turn a configured `false` or `0` into the default.
            "@typescript-eslint/prefer-nullish-coalescing": "off",
            "no-restricted-imports": [
                "error",
                {
                    paths: [
                        {
                            name: "@pulumi/azure-native",
                            message: "Import a submodule, e.g. @pulumi/azure-native/keyvault.",
                        },
                        { name: "@pulumi/kubernetes", message: "Import a submodule, e.g. @pulumi/kubernetes/core/v1." },
                        {
                            name: "@pulumi/azuread",
                            message: "Import the resource's module, e.g. @pulumi/azuread/application.",
                        },
                    ],
                },
            ],
        },
    },
    {
        files: ["**/*.cjs"],
        languageOptions: {
            sourceType: "commonjs",
            globals: { require: "readonly", module: "writable", __dirname: "readonly", process: "readonly" },
        },
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
    {
        files: ["test/**/*.ts", "plan/**/*.ts", "bench/**/*.ts", "deploy/**/*.ts", "schemas/**/*.ts"],
        rules: {
            "@typescript-eslint/no-require-imports": "off",
            "@typescript-eslint/no-explicit-any": "off",
        },
    },
);
