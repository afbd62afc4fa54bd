#!/usr/bin/env bash
# Lists the stacks the workflows act on, as GitHub Actions matrices written to $GITHUB_OUTPUT:
#   plan:   every stack file, the user's own (Pulumi.<stack>.yaml at the root) and the worked examples
#           (examples/Pulumi.<stack>.yaml), planned offline; a root stack shadows an example of the same name.
#   deploy: only the stacks named in DEPLOY_STACKS (space-separated), each with its Pulumi.<stack>.yaml at the
#           root. Nothing is previewed or deployed unless named there, so an example is never deployed by accident.
#           A fleet's vault stacks (fleet.role vault) are listed apart, as deploy_vaults: they are deployed first.
# Each matrix entry: {stack, key} where key is the name as it appears in secret names (KUBECONFIG_<KEY>).
set -euo pipefail
shopt -s nullglob

# The names become environment names, concurrency groups, secret names and shell arguments: accept only Pulumi's.
valid() { [[ "$1" =~ ^[A-Za-z0-9][A-Za-z0-9_.-]*$ ]]; }
matrix() { printf '%s\n' "$@" | jq -R 'select(length > 0) | {stack: ., key: (ascii_upcase | gsub("[^A-Z0-9]"; "_"))}' | jq -cs '{include: .}'; }

planned=()
for file in Pulumi.*.yaml examples/Pulumi.*.yaml; do
    name="$(basename "$file")"
    name="${name#Pulumi.}"
    name="${name%.yaml}"
    if ! valid "$name"; then
        echo "::error::$(printf '%q' "$file"): a stack name is letters, digits, '-', '_' and '.'"
        exit 1
    fi
    [[ " ${planned[*]} " == *" $name "* ]] || planned+=("$name")
done
if [ "${#planned[@]}" -eq 0 ]; then
    echo "::error::no Pulumi.<stack>.yaml at the repository root or in examples/"
    exit 1
fi

# Whether a stack file sets `<project>:fleet` with `role: vault` (its block: the lines indented below the key).
is_vault_stack() {
    awk '/^  [A-Za-z0-9_.-]+:fleet:/ { inside = 1; next }
         inside && /^  [^ ]/ { inside = 0 }
         inside && /^ +role: *"?vault"? *(#.*)?$/ { found = 1 }
         END { exit found ? 0 : 1 }' "$1"
}

deployed=()
vaults=()
for name in ${DEPLOY_STACKS:-}; do
    if ! valid "$name"; then
        echo "::error::DEPLOY_STACKS: $(printf '%q' "$name") is not a stack name (letters, digits, '-', '_' and '.')"
        exit 1
    fi
    if [ ! -f "Pulumi.$name.yaml" ]; then
        where="no Pulumi.$name.yaml at the repository root"
        [ -f "examples/Pulumi.$name.yaml" ] && where="examples/Pulumi.$name.yaml is a worked example, not a deployment: copy it to Pulumi.<your-stack>.yaml"
        echo "::error::DEPLOY_STACKS names \"$name\", but $where"
        exit 1
    fi
    if is_vault_stack "Pulumi.$name.yaml"; then vaults+=("$name"); else deployed+=("$name"); fi
done

{
    echo "plan=$(matrix "${planned[@]}")"
    echo "deploy=$(matrix "${deployed[@]}")"
    echo "deploys=${#deployed[@]}"
    echo "deploy_vaults=$(matrix "${vaults[@]}")"
    echo "vault_deploys=${#vaults[@]}"
} >> "$GITHUB_OUTPUT"
echo "Planned offline: ${planned[*]}"
if [ "${#vaults[@]}" -gt 0 ]; then
    echo "Vault stacks, previewed and deployed first (DEPLOY_STACKS): ${vaults[*]}"
fi
if [ "${#deployed[@]}" -gt 0 ]; then
    echo "Previewed and deployed (DEPLOY_STACKS): ${deployed[*]}"
elif [ "${#vaults[@]}" -eq 0 ]; then
    echo "::notice title=No stack is deployed::DEPLOY_STACKS is empty: set the repository variable DEPLOY_STACKS to your own stacks (see docs/ci.md)."
fi
