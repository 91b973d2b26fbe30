#!/bin/bash
# Creates the order-event topics (ALL_TOPICS in src/contract/topics.ts; a unit test keeps the
# two lists equal) on the compose Kafka cluster. Runs as a one-shot job in the apache/kafka
# image, after the brokers are healthy; idempotent (--if-not-exists), so it runs at every
# `docker compose up`.
#
# Environment:
#   KAFKA_BOOTSTRAP        brokers to talk to                   (default kafka:9092)
#   TOPIC_PARTITIONS       partitions per topic                 (default 3)
#   TOPIC_REPLICATION      replication factor                   (default 1; production 3)
#   TOPIC_MIN_INSYNC       min.insync.replicas of each topic    (default 1; production 2)
#   KAFKA_CLIENT_CONFIG    optional client properties file (SASL/TLS for a managed cluster)
#
# A topic that exists with other settings is reported, not altered: changing partitions
# moves keys between partitions and breaks per-order ordering, a decision for a person.
set -euo pipefail

TOPICS=(
    order_created
    order_validated
    order_payment_processed
    order_fulfilled
    order_shipped
    order_cancelled
    order_delivered
    order_failed
)

bootstrap="${KAFKA_BOOTSTRAP:-kafka:9092}"
partitions="${TOPIC_PARTITIONS:-3}"
replication="${TOPIC_REPLICATION:-1}"
min_insync="${TOPIC_MIN_INSYNC:-1}"
kafka_bin="${KAFKA_BIN:-/opt/kafka/bin}"
client_config=()
if [ -n "${KAFKA_CLIENT_CONFIG:-}" ]; then
    client_config=(--command-config "$KAFKA_CLIENT_CONFIG")
fi

echo "waiting for Kafka at $bootstrap"
for attempt in $(seq 1 60); do
    if "$kafka_bin/kafka-topics.sh" --bootstrap-server "$bootstrap" "${client_config[@]}" --list >/dev/null 2>&1; then
        break
    fi
    if [ "$attempt" -eq 60 ]; then
        echo "Kafka at $bootstrap did not answer in time" >&2
        exit 1
    fi
    sleep 2
done

for topic in "${TOPICS[@]}"; do
    "$kafka_bin/kafka-topics.sh" --bootstrap-server "$bootstrap" "${client_config[@]}" \
        --create --if-not-exists --topic "$topic" \
        --partitions "$partitions" --replication-factor "$replication" \
        --config "min.insync.replicas=$min_insync"
done

echo "topics on $bootstrap:"
"$kafka_bin/kafka-topics.sh" --bootstrap-server "$bootstrap" "${client_config[@]}" --describe \
    --topic "$(IFS='|'; echo "${TOPICS[*]}")" | grep -E '^Topic:' || true
