#!/bin/sh
# Makes a self-signed development certificate for nginx: cert.pem and key.pem, valid for
# localhost and 127.0.0.1, into the folder given (default: docker/nginx/certs, git-ignored).
# Production certificates come from a real CA (e.g. Let's Encrypt) and are mounted the same way.
#
#   docker/nginx/gen-dev-certs.sh [out-dir] [days]
#
# Idempotent: an existing pair is kept unless FORCE=1.
set -eu

out_dir="${1:-$(dirname "$0")/certs}"
days="${2:-825}"
mkdir -p "$out_dir"

if [ -s "$out_dir/cert.pem" ] && [ -s "$out_dir/key.pem" ] && [ "${FORCE:-0}" != 1 ]; then
    echo "kept the existing certificate in $out_dir (FORCE=1 replaces it)"
    exit 0
fi

umask 077
openssl req -x509 -newkey rsa:2048 -sha256 -nodes -days "$days" \
    -subj "/CN=localhost/O=order-platform development" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" \
    -addext "keyUsage=digitalSignature,keyEncipherment" \
    -addext "extendedKeyUsage=serverAuth" \
    -keyout "$out_dir/key.pem" -out "$out_dir/cert.pem" 2>/dev/null
# nginx in the container runs as uid 101 and reads the bind-mounted files as "other": a
# development key may be world-readable, a production one is mounted with its owner set.
chmod 644 "$out_dir/cert.pem"
chmod 644 "$out_dir/key.pem"
echo "wrote $out_dir/cert.pem and $out_dir/key.pem (self-signed, $days days)"
