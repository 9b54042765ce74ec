# tls.sh - a model server behind a private CA (issue 13): `jolt serve`
# over HTTPS with a certificate signed by a generated CA. Without the CA
# the run fails verification; --cacert, $CURL_CA_BUNDLE and $SSL_CERT_FILE
# each make it pass; --insecure passes too and is recorded in the run.
. tests/integration/lib.sh
T0=$JOLT_TEST_TMP/tls
mkdir -p "$T0"
cd "$T0" || exit 1
# A CA, and a server certificate for 127.0.0.1 signed by it.
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 \
	-subj "/CN=jolt test CA" > openssl.log 2>&1 &&
openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr \
	-subj "/CN=127.0.0.1" >> openssl.log 2>&1 &&
printf 'subjectAltName=IP:127.0.0.1\n' > san.ext &&
openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
	-out srv.pem -days 2 -extfile san.ext >> openssl.log 2>&1
check "a CA and a server certificate are generated" [ -s ca.pem ] && [ -s srv.pem ]
cd - > /dev/null || exit 1
log=$T0/serve.log
serve_up "$log" --suite tests/fixtures/mini --tls-cert "$T0/srv.pem" --tls-key "$T0/srv.key"
URL=https://127.0.0.1:$P/v1
M="--model openai:sim:oracle@$URL --axes none --retries 0"
trials() { sqlite3 "$1" "select outcome || ':' || coalesce(error_class, '') from trials order by task" | sort | uniq -c | tr -s ' ' | tr '\n' ';'; }

unset CURL_CA_BUNDLE SSL_CERT_FILE
$JOLT run tests/fixtures/mini $M --out "$T0/none.db" -q > "$T0/none.out" 2>&1
t=$(trials "$T0/none.db")
case $t in *pass*) notok "without the CA no trial may pass: $t" ;;
*infra_error*) ok "without the CA every trial is an infra error: $t" ;;
*) notok "without the CA: $t" ;; esac
sqlite3 "$T0/none.db" "select detail from trials" 2>/dev/null | grep -qi "certificate" \
	&& ok "the error names the certificate" || notok "the error names the certificate"

expect_exit 0 "--cacert" $JOLT run tests/fixtures/mini $M --cacert "$T0/ca.pem" --out "$T0/flag.db" -q
case $(trials "$T0/flag.db") in *fail*|*infra*) notok "--cacert: $(trials "$T0/flag.db")" ;;
*pass*) ok "--cacert: every trial passes" ;; *) notok "--cacert: no trials" ;; esac
expect_exit 0 "CURL_CA_BUNDLE" env CURL_CA_BUNDLE="$T0/ca.pem" $JOLT run tests/fixtures/mini $M --out "$T0/cb.db" -q
case $(trials "$T0/cb.db") in *fail*|*infra*) notok "CURL_CA_BUNDLE: $(trials "$T0/cb.db")" ;;
*pass*) ok "CURL_CA_BUNDLE: every trial passes" ;; *) notok "CURL_CA_BUNDLE: no trials" ;; esac
expect_exit 0 "SSL_CERT_FILE" env SSL_CERT_FILE="$T0/ca.pem" $JOLT run tests/fixtures/mini $M --out "$T0/sf.db" -q
case $(trials "$T0/sf.db") in *fail*|*infra*) notok "SSL_CERT_FILE: $(trials "$T0/sf.db")" ;;
*pass*) ok "SSL_CERT_FILE: every trial passes" ;; *) notok "SSL_CERT_FILE: no trials" ;; esac
sqlite3 "$T0/sf.db" "select config from runs" | grep -q "\"tls_cacert\": *\"$T0/ca.pem\"" \
	&& ok "the CA bundle used is recorded" || notok "the CA bundle used is recorded"

expect_exit 0 "--insecure" $JOLT run tests/fixtures/mini $M --insecure --out "$T0/in.db" -q
case $(trials "$T0/in.db") in *fail*|*infra*) notok "--insecure: $(trials "$T0/in.db")" ;;
*pass*) ok "--insecure: every trial passes" ;; *) notok "--insecure: no trials" ;; esac
sqlite3 "$T0/in.db" "select config from runs" | grep -q '"tls_insecure": *true' \
	&& ok "--insecure is recorded in the run" || notok "--insecure is recorded in the run"
sqlite3 "$T0/flag.db" "select config from runs" | grep -q '"tls_insecure": *false' \
	&& ok "a verified run records verification on" || notok "a verified run records verification on"
$JOLT report "$T0/in.db" --format md > "$T0/in.md" 2>&1
grep -qi "insecure" "$T0/in.md" && ok "the report says verification was off" \
	|| notok "the report says verification was off"
$JOLT report "$T0/flag.db" --format md > "$T0/flag.md" 2>&1
! grep -qi "insecure" "$T0/flag.md" && ok "a verified run's report says nothing of it" \
	|| notok "a verified run's report says nothing of it"
expect_exit 2 "a missing CA bundle is bad input" $JOLT run tests/fixtures/mini $M --cacert "$T0/nope.pem" --out "$T0/x.db" -q
grep -q "nope.pem" "$JOLT_TEST_TMP/last.err" && ok "the message names the file" || notok "the message names the file"
expect_exit 2 "serve --tls-cert without --tls-key" $JOLT serve --listen 127.0.0.1:0 --tls-cert "$T0/srv.pem"
