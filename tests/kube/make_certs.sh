#!/bin/sh
# Makes a throw-away PKI for the fake API server in DIR (a fresh temporary
# folder): a cluster CA, a server certificate for 127.0.0.1 and localhost, a
# client certificate the CA signs, and a second CA that signs nothing here,
# for the "wrong CA" tests. Nothing made here is ever committed.
set -eu
dir=$1
cd "$dir"

# EC keys: quick to make, and what kubeadm clusters use too.
key="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"

for ca in ca other-ca; do
    openssl req -x509 $key -days 2 -subj "/CN=aim-test-$ca" \
        -keyout "$ca.key" -out "$ca.crt" 2>/dev/null
done

printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >server.ext
printf 'extendedKeyUsage=clientAuth\n' >client.ext
# The API server reads a client certificate's CN as the user, O as groups.
for leaf in server:/CN=127.0.0.1 client:/O=system:masters/CN=aim-test-admin; do
    name=${leaf%%:*}
    openssl req $key -subj "${leaf#*:}" -keyout "$name.key" -out "$name.csr" 2>/dev/null
    openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
        -extfile "$name.ext" -out "$name.crt" 2>/dev/null
done
rm -f ./*.csr ./*.ext ca.srl
