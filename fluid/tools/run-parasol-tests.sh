#!/usr/bin/env bash
# Runs Parasol's own 2025 network test scripts (src/network/tests/*.fluid, with their Flute
# runner) against this runtime, from a Parasol checkout given on the command line. Nothing of
# Parasol is copied into this repository; the scripts are read from the checkout.
#
# The scripts reach beyond the machine in a few places (DNS names, google.com, parasol.ws,
# 10.255.255.1). Those lines are swapped for loopback ones in a temporary copy before anything
# runs, so no traffic leaves the machine:
#   - DNS names and 8.8.8.8 become localhost / 127.0.0.1 (answered from /etc/hosts);
#   - parasol.ws:80 becomes a local HTTP server, www.google.com:443 a local HTTPS server
#     (python3, self-signed; the client gets SSL_NO_VERIFY for it);
#   - 999.999.999.999:80 and 10.255.255.1:80 become a closed loopback port.
# The SSL tests need a certificate for their servers: the runner passes --tls-self-signed.
#
# usage: fluid/tools/run-parasol-tests.sh PARASOL_CHECKOUT [PARASOL_COMMAND]
#   PARASOL_CHECKOUT  a work tree of parasol-framework/parasol (commit 2ae26839806e)
#   PARASOL_COMMAND   this project's `parasol` binary (default: target/release/parasol)
# FLUID_FLAGS in the environment is added to `parasol fluid` (e.g. --parasol-compat).
set -euo pipefail
src=${1:?usage: $0 PARASOL_CHECKOUT [PARASOL_COMMAND]}
bin=${2:-target/release/parasol}
bin=$(realpath "$bin")
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

mkdir -p "$work/tools" "$work/scripts" "$work/tests"
cp "$src/tools/flute.fluid" "$work/tools/"
cp "$src/scripts/common.fluid" "$work/scripts/"
cp "$src"/src/network/tests/*.fluid "$work/tests/"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# A local HTTP server for server-io (answers, then closes: HTTP/1.0).
http_port=$(free_port)
mkdir -p "$work/www" && echo '<html>parasol</html>' > "$work/www/index.html"
python3 -m http.server --bind 127.0.0.1 --directory "$work/www" "$http_port" >/dev/null 2>&1 &

# A local HTTPS server for test-ssl's testHTTPSConnection.
https_port=$(free_port)
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 1 \
  -keyout "$work/key.pem" -out "$work/cert.pem" >/dev/null 2>&1
python3 - "$https_port" "$work" >/dev/null 2>&1 <<'PY' &
import http.server, ssl, sys, os
port, work = int(sys.argv[1]), sys.argv[2]
os.chdir(os.path.join(work, "www"))
httpd = http.server.HTTPServer(("127.0.0.1", port), http.server.SimpleHTTPRequestHandler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(os.path.join(work, "cert.pem"), os.path.join(work, "key.pem"))
httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
httpd.serve_forever()
PY

t="$work/tests"
sed -i -e "s/{ 'google.com', 'reddit.com' }/{ 'localhost', 'localhost' }/" \
       -e "s/host == 'dns.google'/host == 'localhost'/" \
       -e "s/mtBlockingResolveAddress('8.8.8.8')/mtBlockingResolveAddress('127.0.0.1')/" \
       -e "s/glDomains = { 'google.com', 'parasol.ws', 'amazon.co.uk', 'stackoverflow.com', 'theguardian.com', 'www.bbc.co.uk' }/glDomains = { 'localhost', 'localhost', 'localhost', 'localhost', 'localhost', 'localhost' }/" \
       "$t/dns-parallel.fluid"
sed -i -e "s/mtConnect('parasol.ws', 80)/mtConnect('127.0.0.1', $http_port)/" "$t/server-io.fluid"
sed -i -e "s/mtConnect('999.999.999.999', 80)/mtConnect('127.0.0.1', 9)/" \
       -e "s/mtConnect('10.255.255.1', 80)/mtConnect('127.0.0.1', 9)/" "$t/test-error-handling.fluid"
sed -i -e "s/mtResolveName('dns.google')/mtResolveName('localhost')/" "$t/test-ipv6.fluid"
sed -i -e "s/local SITE = 'www.google.com'/local SITE = 'localhost'/" \
       -e "s/mtConnect(SITE, 443)/mtConnect(SITE, $https_port)/" "$t/test-ssl.fluid"
# The HTTPS client's flags are on their own line after its incoming callback.
python3 - "$t/test-ssl.fluid" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
marker = "name = 'HTTPSGoogleClient'"
head, tail = s.split(marker, 1)
tail = tail.replace("flags = 'SSL'\n", "flags = 'SSL|SSL_NO_VERIFY'\n", 1)
open(p, "w").write(head + marker + tail)
PY

status=0
# The files Parasol's build registers as tests (src/network/CMakeLists.txt), in its order.
for name in dns-parallel server-io client-server test-error-handling test-ipv6 test-concurrency test-ssl; do
  echo "=== $name"
  set +e
  (cd "$work" && timeout 120 "$bin" fluid --tls-self-signed ${FLUID_FLAGS:-} --scripts scripts tools/flute.fluid file="$t/$name.fluid" 2>&1) \
    | grep -aE '^-- Test|^PASS|^Ran |\.fluid"\]:[0-9]+:|^parasol:' 
  rc=${PIPESTATUS[0]}
  set -e
  echo "exit status $rc"
  [ "$rc" -eq 0 ] || status=1
done
exit $status
