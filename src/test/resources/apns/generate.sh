#!/bin/sh
# Regenerates the APNs test credentials in this directory (valid for 100 years; test use only).
#   ca.pem            self-signed test CA: the APNs client trusts it for the mock server, the mock trusts it for clients
#   server.pem/.key   the mock APNs server's certificate (SAN DNS:localhost, IP:127.0.0.1) and PKCS#8 key
#   signing-key.p8    the EC P-256 token-auth signing key (PKCS#8), signing-key.pub.pem its public half
#   client.p12        a certificate-auth client identity signed by the CA, password "pushy-test"
set -eu
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
days=36500

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tmp/ca.key" -out ca.pem \
    -days $days -subj "/CN=sippush test CA" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out server.key
openssl req -new -key server.key -subj "/CN=localhost" -out "$tmp/server.csr"
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > "$tmp/server.ext"
openssl x509 -req -in "$tmp/server.csr" -CA ca.pem -CAkey "$tmp/ca.key" -CAcreateserial -days $days \
    -extfile "$tmp/server.ext" -out server.pem

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out signing-key.p8
openssl pkey -in signing-key.p8 -pubout -out signing-key.pub.pem

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$tmp/client.key"
openssl req -new -key "$tmp/client.key" -subj "/UID=com.example.phone/CN=Apple Push Services: com.example.phone" \
    -out "$tmp/client.csr"
printf 'extendedKeyUsage=clientAuth\n' > "$tmp/client.ext"
openssl x509 -req -in "$tmp/client.csr" -CA ca.pem -CAkey "$tmp/ca.key" -CAcreateserial -days $days \
    -extfile "$tmp/client.ext" -out "$tmp/client.pem"
openssl pkcs12 -export -inkey "$tmp/client.key" -in "$tmp/client.pem" -name apns-client \
    -passout pass:pushy-test -out client.p12
rm -f ca.srl
