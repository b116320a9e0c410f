#!/usr/bin/env bash
# 校园报警接处警台 — a certificate for the station's https/wss (docs/service.md, "TLS").
#
#   deploy/tls/make-certs.sh OUT_DIR NAME_OR_IP [NAME_OR_IP ...]
#
# Makes, in OUT_DIR:
#   ca.key, ca.crt          a station CA (10 years) — unless OUT_DIR already holds them, or CA_CERT and CA_KEY
#                           name the police CA's certificate and key to sign with instead
#   server.key, server.crt  the station's key and certificate (825 days), for every NAME_OR_IP given
#                           (DNS names and IPv4/IPv6 addresses as subjectAltName: what terminals and consoles dial)
#   server.csr              the request: send it to the police CA when its key is not at hand, and put the
#                           certificate it returns (with its intermediate CAs after it) in server.crt
# Then: STATION_TLS_CERT=OUT_DIR/server.crt STATION_TLS_KEY=OUT_DIR/server.key, and ca.crt on every terminal and
# console PC as a trusted root (or the police CA's root, when it signed).
set -euo pipefail

if [ $# -lt 2 ]; then
  sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
out=$1
shift
command -v openssl >/dev/null || { echo "openssl is not installed" >&2; exit 1; }
mkdir -p "$out"
umask 077

san=""
for name in "$@"; do
  if [[ $name =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ || $name == *:* ]]; then san+="IP:$name,"; else san+="DNS:$name,"; fi
done
san=${san%,}

ca_crt=${CA_CERT:-$out/ca.crt}
ca_key=${CA_KEY:-$out/ca.key}
if [ ! -f "$ca_crt" ] || [ ! -f "$ca_key" ]; then
  if [ -n "${CA_CERT:-}" ]; then echo "CA_CERT / CA_KEY: $ca_crt or $ca_key is missing" >&2; exit 1; fi
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -sha256 -days 3650 \
    -keyout "$ca_key" -out "$ca_crt" -subj "/CN=School-alarm station CA/O=Police station" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  echo "made a station CA: $ca_crt (install it as a trusted root on terminals and console PCs; keep $ca_key offline)"
fi

openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -sha256 \
  -keyout "$out/server.key" -out "$out/server.csr" -subj "/CN=$1" 2>/dev/null
ext=$(mktemp)
trap 'rm -f "$ext"' EXIT
printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=%s\n' "$san" >"$ext"
openssl x509 -req -in "$out/server.csr" -CA "$ca_crt" -CAkey "$ca_key" -CAcreateserial -days 825 -sha256 \
  -extfile "$ext" -out "$out/server.crt" 2>/dev/null
openssl verify -CAfile "$ca_crt" "$out/server.crt" >/dev/null
chmod 644 "$out/server.crt" "$ca_crt"
echo "made $out/server.crt for $san (signed by $ca_crt) and its key $out/server.key"
