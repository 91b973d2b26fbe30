#!/bin/sh
# One-shot job (temporalio/admin-tools image): waits for the Temporal frontend, creates the
# namespace if it is missing and registers the order search attributes operators filter by
# in the Web UI. The list mirrors SEARCH_ATTRIBUTES in src/contract/orders.ts (a unit test
# keeps them equal). Idempotent: what exists is left alone.
#
# Environment: TEMPORAL_ADDRESS (temporal:7233), TEMPORAL_NAMESPACE (default),
# NAMESPACE_RETENTION (72h). On Temporal Cloud neither step is allowed from a client: create
# the namespace and the attributes in the Cloud console (docs/production.md).
set -eu

address="${TEMPORAL_ADDRESS:-temporal:7233}"
namespace="${TEMPORAL_NAMESPACE:-default}"
retention="${NAMESPACE_RETENTION:-72h}"

# name:type pairs
SEARCH_ATTRIBUTES="OrderStatus:Keyword CustomerId:Keyword OrderTotal:Double"

echo "waiting for Temporal at $address"
attempt=0
until temporal operator cluster health --address "$address" 2>/dev/null | grep -q SERVING; do
    attempt=$((attempt + 1))
    if [ "$attempt" -ge 90 ]; then
        echo "Temporal at $address did not become healthy" >&2
        exit 1
    fi
    sleep 2
done

if temporal operator namespace describe --address "$address" --namespace "$namespace" >/dev/null 2>&1; then
    echo "namespace $namespace exists"
else
    echo "creating namespace $namespace (retention $retention)"
    temporal operator namespace create --address "$address" --namespace "$namespace" --retention "$retention"
fi

# A new namespace takes a moment to reach every frontend's cache; retry until it is listed.
attempt=0
until existing="$(temporal operator search-attribute list --address "$address" --namespace "$namespace" 2>/dev/null)"; do
    attempt=$((attempt + 1))
    if [ "$attempt" -ge 30 ]; then
        echo "could not list the search attributes of $namespace" >&2
        exit 1
    fi
    sleep 2
done

for pair in $SEARCH_ATTRIBUTES; do
    name="${pair%%:*}"
    type="${pair#*:}"
    if printf '%s\n' "$existing" | grep -qw "$name"; then
        echo "search attribute $name exists"
    else
        echo "adding search attribute $name ($type)"
        temporal operator search-attribute create --address "$address" --namespace "$namespace" \
            --name "$name" --type "$type"
    fi
done
echo "temporal setup done"
